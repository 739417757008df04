// The gate's filter (table gate_filter, schema 8): a Bloom filter over the ids in
// gate_shoppers, so that a tap by a shopper who owes nothing — nearly every tap — is decided
// without searching the index.
//
// Why: a search of gate_shoppers walks two B-tree pages with a binary search in each. The
// daemon under load calls the gate with caches its network stack has just used, where that
// search misses them at every step (`jwo-bench-fa-handler --evict-kib 1024`, which writes a
// MiB elsewhere before each call: 600–900 ns for the index, 380–790 ns through the filter,
// 0.64–0.86x; with warm caches 0.63–0.67x; docs/performance.md). The filter answers "certainly
// not indexed" from one 64-byte block of one record: one cache line. A "maybe" (every indexed
// shopper, and about one in a thousand others) searches the index as before, so the decision
// never depends on the filter being right about a "maybe". What is left of the read is LMDB's:
// the transaction (~110 ns cold) and its look-up of the table itself in the main database.
//
// The record, under key "filter" (docs/store-format.md):
//   bytes 0-3   "JGF1" (format and version)
//   bytes 4-7   u32 blocks, little-endian: a power of two from 64 to 4,096 (256 KiB), or 0
//               for a filter that is off (no bits follow; it excludes nobody)
//   bytes 8-15  u64 load: ids whose bits were set since the filter was built, those present
//               at the build included (an upper bound on the ids it holds)
//   bytes 16-47 zero
//   bytes 48-   blocks x 64 bytes of bits. (The 48-byte header puts the blocks of a record on
//               LMDB's overflow pages, which start 16 bytes into a page, on cache-line bounds.)
// An id sets 6 bits of the block its hash picks (a "blocked" Bloom filter: Putze, Sanders,
// Singler, "Cache-, Hash- and Space-Efficient Bloom Filters", 2007). Hand-written: Boost has a
// Bloom filter only from 1.89 (Debian 12 has 1.81), and its hash would not be fixed across
// versions — this one is stored, so its hash (MurmurHash64A, below) must never change.
//
// The invariant, kept in the transaction that indexes a shopper (PutShopper queues the id, the
// Env adds the queue before the commit) and checked by VerifyStore:
//   id ∈ gate_shoppers  ⇒  the filter does not exclude id.
// Bits are never cleared: a shopper who leaves the index keeps its bits until the filter is
// rebuilt, which happens when the load reaches 32 per block (the rebuild sizes the filter for
// 16 per block among the ids indexed then). Past 65,536 indexed shoppers the filter is off (a
// record of more than 256 KiB, written again by every transaction that indexes someone, would
// cost more than it saves); a transaction that indexes a shopper when at most 32,768 are left
// builds it again. A missing or damaged record excludes nothing: the
// gate then searches the index for every tap, `store verify` reports it, and the next write
// that indexes a shopper rebuilds it.
//
// Functions take the caller's transaction; as thread-safe as it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/env.h"

namespace jwo::store {

inline constexpr std::string_view kGateFilterKey = "filter";

// MurmurHash64A (Austin Appleby, public domain) of `id` with the filter's fixed seed. Stored
// filters depend on it: tests pin its values.
uint64_t GateFilterHash(std::string_view id);

// True only when `record` is a well-formed filter that proves `id` is not indexed.
bool GateFilterExcludes(std::string_view record, std::string_view id);

// Empty when `record` is a well-formed filter, else what is wrong with it.
std::string GateFilterProblem(std::string_view record);

struct GateFilterShape {
  uint32_t blocks = 0;
  uint64_t load = 0;
};
// The shape of a well-formed record. REQUIRES: GateFilterProblem(record).empty().
GateFilterShape GateFilterShapeOf(std::string_view record);

// Makes the filter hold the ids the transaction queued (WriteTxn::AddToGateFilter), which are
// in gate_shoppers: sets their bits with one write of the filter (none when all are set), or
// rebuilds it when it is full, missing or damaged; then clears the queue. The Env calls it
// before every commit.
core::Status FlushGateFilter(WriteTxn& txn);

// Builds the filter from gate_shoppers, sized for the ids there (step 7 -> 8, and a full one).
core::Status BuildGateFilter(WriteTxn& txn);

}  // namespace jwo::store
