// A standalone main for the fuzz targets, so every build (GCC included, where libFuzzer does not
// exist) runs them: it replays the seed corpus and the regression inputs, then a bounded number
// of deterministic mutations of them (fixed seed, so a failure in CI repeats on any machine).
//
//   fuzz_replay_<target> [--runs=N] [--seconds=S] [--timeout=S] [--seed=N] PATH...
//
// PATH is a file or a folder (every regular file in it, in name order; names starting with '.'
// are skipped). Mutation stops after N inputs or S seconds, whichever comes first. When an input
// crashes the target or runs longer than --timeout seconds (default 10), it is written to
// ./fuzz-replay-input-<pid> and named on stderr, so it can be kept under <target>/regressions/
// and debugged with the libFuzzer binary.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_target.h"

namespace {

using Input = std::vector<uint8_t>;

// The input being run, for the crash handler (which may only use async-signal-safe calls).
const Input* g_current = nullptr;

void SaveCurrent(const char* why) {
  char name[64];
  std::snprintf(name, sizeof name, "fuzz-replay-input-%d", static_cast<int>(getpid()));
  if (g_current != nullptr) {
    const int fd = ::open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ssize_t ignored = ::write(fd, g_current->data(), g_current->size());
      (void)ignored;
      ::close(fd);
    }
    static const char kMsg[] = "fuzz replay: the input was written to ";
    ssize_t ignored = ::write(2, why, std::strlen(why));
    ignored = ::write(2, kMsg, sizeof kMsg - 1);
    ignored = ::write(2, name, std::strlen(name));
    ignored = ::write(2, "\n", 1);
    (void)ignored;
  }
}

void OnCrash(int sig) {
  SaveCurrent("crash; ");
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// libFuzzer's -timeout: an input that runs this long is a bug (a hang, or work without bound).
unsigned g_timeout_s = 10;

void OnTimeout(int) {
  SaveCurrent("timeout: one input ran longer than --timeout; ");
  ::_exit(70);
}

bool ReadFile(const std::filesystem::path& path, Input* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

// Byte strings that open doors in the formats under test: JSON, YAML, percent-encoding, paths,
// numbers at the edges, and the record codec's length prefixes.
const std::vector<std::string_view> kTokens = {"{",
                                               "}",
                                               "[",
                                               "]",
                                               "\"",
                                               ":",
                                               ",",
                                               "\\",
                                               "\\u0000",
                                               "\\ud800",
                                               "null",
                                               "true",
                                               "-1",
                                               "0",
                                               "1e999",
                                               "1e-400",
                                               "0.01",
                                               "-0",
                                               "9223372036854775807",
                                               "&",
                                               "=",
                                               "%",
                                               "%zz",
                                               "%2F",
                                               "/../",
                                               "/./",
                                               "//",
                                               "*",
                                               "&a ",
                                               "*a",
                                               ": ",
                                               "\n- ",
                                               "? ",
                                               "\n  ",
                                               "---\n",
                                               "!!",
                                               "\xff",
                                               "\xc3\x28",
                                               "\t",
                                               "\r\n",
                                               "T",
                                               "Z",
                                               "{}",
                                               "[]",
                                               "\"\":",
                                               std::string_view("\0", 1),
                                               "\x01",
                                               "\x7f",
                                               "\x80"};

class Mutator {
 public:
  explicit Mutator(uint32_t seed) : rng_(seed) {}

  size_t Below(size_t n) { return n == 0 ? 0 : rng_() % n; }

  Input Mutate(const std::vector<Input>& pool) {
    Input in = pool[Below(pool.size())];
    const size_t steps = 1 + Below(4);
    for (size_t i = 0; i < steps; ++i) Step(pool, &in);
    if (in.size() > kMaxLen) in.resize(kMaxLen);
    return in;
  }

 private:
  static constexpr size_t kMaxLen = 64 * 1024;

  void Step(const std::vector<Input>& pool, Input* in) {
    switch (Below(8)) {
      case 0:  // flip a bit
        if (!in->empty()) (*in)[Below(in->size())] ^= static_cast<uint8_t>(1u << Below(8));
        break;
      case 1:  // set a byte to anything
        if (!in->empty()) (*in)[Below(in->size())] = static_cast<uint8_t>(rng_());
        break;
      case 2: {  // erase a run
        if (in->empty()) break;
        const size_t at = Below(in->size());
        const size_t n = 1 + Below(std::min<size_t>(16, in->size() - at));
        in->erase(in->begin() + at, in->begin() + at + n);
        break;
      }
      case 3: {  // insert a token
        const std::string_view t = kTokens[Below(kTokens.size())];
        in->insert(in->begin() + Below(in->size() + 1), t.begin(), t.end());
        break;
      }
      case 4:  // truncate
        in->resize(Below(in->size() + 1));
        break;
      case 5: {  // repeat a chunk of itself (nesting, long strings)
        if (in->empty()) break;
        const size_t at = Below(in->size());
        const size_t n = 1 + Below(std::min<size_t>(64, in->size() - at));
        const Input chunk(in->begin() + at, in->begin() + at + n);
        const size_t times = 1 + Below(8);
        for (size_t k = 0; k < times; ++k) {
          in->insert(in->begin() + at, chunk.begin(), chunk.end());
        }
        break;
      }
      case 6: {  // splice with another input
        const Input& other = pool[Below(pool.size())];
        const size_t cut = Below(in->size() + 1);
        const size_t from = Below(other.size() + 1);
        in->resize(cut);
        in->insert(in->end(), other.begin() + from, other.end());
        break;
      }
      default: {  // overwrite a digit with another, or a byte with an edge value
        if (in->empty()) break;
        uint8_t& b = (*in)[Below(in->size())];
        if (b >= '0' && b <= '9') {
          b = static_cast<uint8_t>('0' + Below(10));
        } else {
          static constexpr uint8_t kEdges[] = {0, 1, 0x7f, 0x80, 0xfe, 0xff};
          b = kEdges[Below(sizeof kEdges)];
        }
        break;
      }
    }
  }

  std::mt19937 rng_;
};

void Run(const Input& in) {
  g_current = &in;
  ::alarm(g_timeout_s);
  LLVMFuzzerTestOneInput(in.data(), in.size());
  ::alarm(0);
  g_current = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 2000;
  double seconds = 2.0;
  uint32_t seed = 0x6a776f;  // "jwo"
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--runs=")) {
      runs = std::strtol(argv[i] + 7, nullptr, 10);
    } else if (arg.starts_with("--seconds=")) {
      seconds = std::strtod(argv[i] + 10, nullptr);
    } else if (arg.starts_with("--timeout=")) {
      g_timeout_s = static_cast<unsigned>(std::strtoul(argv[i] + 10, nullptr, 10));
    } else if (arg.starts_with("--seed=")) {
      seed = static_cast<uint32_t>(std::strtoul(argv[i] + 7, nullptr, 10));
    } else if (std::filesystem::is_directory(arg)) {
      std::vector<std::filesystem::path> in_dir;
      for (const auto& e : std::filesystem::directory_iterator(arg)) {
        if (e.is_regular_file() && !e.path().filename().string().starts_with(".")) {
          in_dir.push_back(e.path());
        }
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (std::filesystem::is_regular_file(arg)) {
      files.emplace_back(arg);
    } else {
      std::fprintf(stderr, "%s: no such file or folder: %s\n", argv[0], argv[i]);
      return 2;
    }
  }

  for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, OnCrash);
  std::signal(SIGALRM, OnTimeout);

  std::vector<Input> pool;
  for (const auto& path : files) {
    Input in;
    if (!ReadFile(path, &in)) {
      std::fprintf(stderr, "%s: cannot read %s\n", argv[0], path.c_str());
      return 2;
    }
    std::fprintf(stderr, "replay %s (%zu bytes)\n", path.c_str(), in.size());
    Run(in);
    pool.push_back(std::move(in));
  }
  if (pool.empty()) pool.emplace_back();

  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  Mutator mutator(seed);
  long done = 0;
  while (done < runs && std::chrono::steady_clock::now() < deadline) {
    Run(mutator.Mutate(pool));
    ++done;
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("%zu corpus inputs, %ld mutated inputs (seed %u) in %.0f ms: no crash\n",
              files.size(), done, seed, ms);
  return 0;
}
