#include "store/gate_filter.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "store/codec.h"

namespace jwo::store {
namespace {

using core::Status;

constexpr std::string_view kMagic = "JGF1";
constexpr size_t kHeaderBytes = 48;
constexpr size_t kBlockBytes = 64;
constexpr uint32_t kMinBlocks = 64;  // 4 KiB of bits
// 256 KiB of bits. Every transaction that indexes a new shopper writes the whole record again
// (LMDB copies a changed value's pages): a filter sized for a million shoppers (4 MiB) would
// make a chain's first sync of a million debts, at 1,000 a transaction, write gigabytes (a copy
// for each id took it from 2 s to 22 s: jwo-bench-fill --debt-every 1 --batch 1000). A store
// with more shoppers in its index than kOffAbove turns the filter off, and the gate searches
// the index as before schema 8.
constexpr uint32_t kMaxBlocks = 4096;
constexpr uint64_t kBuildLoad = 16;  // ids per block a rebuild sizes for
constexpr uint64_t kMaxLoad = 32;    // ids per block that call for a rebuild
constexpr uint64_t kOffAbove = uint64_t{kMaxBlocks} * kBuildLoad;  // 65,536 indexed: off
constexpr uint64_t kOnAgainAt = kOffAbove / 2;  // 32,768: a write that indexes rebuilds it
constexpr int kBitsPerId = 6;
constexpr uint64_t kSeed = 0x6a776f2d65646765;  // "jwo-edge"

uint64_t LoadLe64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// The 6 bit positions (0..511) in the id's block, from a second mix of the hash (SplitMix64's
// finalizer) so that they do not reuse the bits that chose the block.
struct Probe {
  uint32_t block;
  uint16_t bit[kBitsPerId];
};

Probe ProbeOf(std::string_view id, uint32_t blocks) {
  const uint64_t h = GateFilterHash(id);
  Probe p;
  p.block = static_cast<uint32_t>(h >> 32) & (blocks - 1);
  uint64_t z = h;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  z ^= z >> 31;
  for (int i = 0; i < kBitsPerId; ++i) p.bit[i] = static_cast<uint16_t>((z >> (9 * i)) & 511);
  return p;
}

bool AllSet(const unsigned char* block, const Probe& p) {
  bool all = true;
  for (uint16_t b : p.bit) all &= (block[b >> 3] >> (b & 7)) & 1;
  return all;
}

void SetBits(unsigned char* block, const Probe& p) {
  for (uint16_t b : p.bit) block[b >> 3] |= static_cast<unsigned char>(1u << (b & 7));
}

// REQUIRES: `block` < the record's block count.
const unsigned char* BlockAt(std::string_view record, uint32_t block) {
  return reinterpret_cast<const unsigned char*>(record.data()) + kHeaderBytes +
         size_t{block} * kBlockBytes;
}
unsigned char* BlockAt(std::string& record, uint32_t block) {
  return const_cast<unsigned char*>(BlockAt(std::string_view(record), block));
}

std::string Header(uint32_t blocks, uint64_t load) {
  std::string out;
  Encoder e(out);
  e.Raw(kMagic);
  e.U32(blocks);
  e.U64(load);
  out.resize(kHeaderBytes, '\0');
  return out;
}

// REQUIRES: record.size() >= kHeaderBytes.
uint32_t DecodeBlocks(std::string_view record) {
  uint32_t blocks = 0;
  Decoder d(record.substr(4, 4));
  (void)d.U32(blocks);
  return blocks;
}

bool ValidBlocks(uint32_t blocks) {
  return blocks == 0 ||
         (blocks >= kMinBlocks && blocks <= kMaxBlocks && std::has_single_bit(blocks));
}

bool ReservedZero(std::string_view record) {
  static constexpr char kZero[kHeaderBytes - 16] = {};
  return std::memcmp(record.data() + 16, kZero, sizeof kZero) == 0;
}

uint32_t BlocksFor(uint64_t ids) {
  const uint64_t want = std::bit_ceil((ids + kBuildLoad - 1) / kBuildLoad);
  return static_cast<uint32_t>(std::clamp<uint64_t>(want, kMinBlocks, kMaxBlocks));
}

}  // namespace

uint64_t GateFilterHash(std::string_view id) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995;
  constexpr int r = 47;
  const auto* p = reinterpret_cast<const unsigned char*>(id.data());
  const size_t len = id.size();
  uint64_t h = kSeed ^ (len * m);
  for (size_t i = 0; i + 8 <= len; i += 8) {
    uint64_t k = LoadLe64(p + i);
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  const unsigned char* tail = p + (len & ~size_t{7});
  if (const size_t rest = len & 7; rest != 0) {
    for (size_t i = rest; i-- > 0;) h ^= uint64_t{tail[i]} << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

std::string GateFilterProblem(std::string_view record) {
  if (record.size() < kHeaderBytes || record.substr(0, 4) != kMagic) {
    return "not a gate filter of format JGF1";
  }
  const uint32_t blocks = DecodeBlocks(record);
  if (!ValidBlocks(blocks)) {
    return "block count " + std::to_string(blocks) +
           " is neither 0 (off) nor a power of two from " + std::to_string(kMinBlocks) + " to " +
           std::to_string(kMaxBlocks);
  }
  if (record.size() != kHeaderBytes + size_t{blocks} * kBlockBytes) {
    return std::to_string(record.size()) + " bytes where " + std::to_string(blocks) +
           " blocks take " + std::to_string(kHeaderBytes + size_t{blocks} * kBlockBytes);
  }
  if (!ReservedZero(record)) return "reserved header bytes are not zero";
  return {};
}

namespace {

// The block count of a well-formed record, else 0 (also for one that is off). The checks of
// GateFilterProblem (no allocation when they pass), so that no block is read past the end.
uint32_t BlocksOf(std::string_view record) {
  return GateFilterProblem(record).empty() ? DecodeBlocks(record) : 0;
}

}  // namespace

GateFilterShape GateFilterShapeOf(std::string_view record) {
  Decoder d(record.substr(4, 12));
  GateFilterShape shape;
  (void)d.U32(shape.blocks);
  (void)d.U64(shape.load);
  return shape;
}

// The gate's path: no allocation, one block read.
bool GateFilterExcludes(std::string_view record, std::string_view id) {
  const uint32_t blocks = BlocksOf(record);
  if (blocks == 0) return false;
  const Probe p = ProbeOf(id, blocks);
  return !AllSet(BlockAt(record, p.block), p);
}

Status BuildGateFilter(WriteTxn& txn) {
  auto ids = txn.Entries(Table::kGateShoppers);
  if (!ids.ok()) return ids.status();
  if (*ids > kOffAbove) {
    return txn.Put(Table::kGateFilter, kGateFilterKey, Header(0, *ids));  // off: see kMaxBlocks
  }
  const uint32_t blocks = BlocksFor(*ids);
  std::string record = Header(blocks, *ids);
  record.resize(kHeaderBytes + size_t{blocks} * kBlockBytes, '\0');
  if (Status s = txn.Scan(Table::kGateShoppers, "",
                          [&](std::string_view id, std::string_view) {
                            const Probe p = ProbeOf(id, blocks);
                            SetBits(BlockAt(record, p.block), p);
                            return true;
                          });
      !s.ok()) {
    return s;
  }
  return txn.Put(Table::kGateFilter, kGateFilterKey, record);
}

Status FlushGateFilter(WriteTxn& txn) {
  if (txn.gate_filter_adds().empty()) return Status::Ok();
  Status s = [&]() -> Status {
    auto current = txn.Get(Table::kGateFilter, kGateFilterKey);
    if (!current.ok()) return current.status();
    // Missing or damaged: rebuilt from the index, which holds the queued ids already (derived
    // data, so this is safe to do silently; `store verify` reports it until then).
    if (!current->has_value() || !GateFilterProblem(**current).empty()) {
      return BuildGateFilter(txn);
    }
    const GateFilterShape shape = GateFilterShapeOf(**current);
    if (shape.blocks == 0) {  // off: on again once the index is small enough
      auto ids = txn.Entries(Table::kGateShoppers);
      if (!ids.ok()) return ids.status();
      return *ids <= kOnAgainAt ? BuildGateFilter(txn) : Status::Ok();
    }
    std::string record;  // copied at the first id that sets a bit: the Put replaces the pages
    uint64_t load = shape.load;
    for (const std::string& id : txn.gate_filter_adds()) {
      const Probe p = ProbeOf(id, shape.blocks);
      const std::string_view bytes = record.empty() ? **current : std::string_view(record);
      if (AllSet(BlockAt(bytes, p.block), p)) continue;  // held already (or indistinguishable)
      if (++load > uint64_t{shape.blocks} * kMaxLoad) return BuildGateFilter(txn);
      if (record.empty()) record.assign(**current);
      SetBits(BlockAt(record, p.block), p);
    }
    if (record.empty()) return Status::Ok();
    record.replace(0, kHeaderBytes, Header(shape.blocks, load));
    return txn.Put(Table::kGateFilter, kGateFilterKey, record);
  }();
  if (s.ok()) txn.ClearGateFilterAdds();
  return s;
}

}  // namespace jwo::store
