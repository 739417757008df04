#include "core/sharded_shared_mutex.h"

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

namespace jwo::core {
namespace {

TEST_CASE("readers on several threads hold the sharded lock together") {
  ShardedSharedMutex m;
  std::shared_lock mine(m);
  std::atomic<int> inside{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      std::shared_lock lock(m);  // would block forever if readers excluded each other
      ++inside;
    });
  }
  for (auto& t : readers) t.join();
  CHECK(inside == 3);
}

TEST_CASE("the exclusive lock waits for every reader, and readers wait for it") {
  ShardedSharedMutex m;
  std::atomic<bool> writer_in{false};
  std::atomic<bool> reader_saw_writer{false};
  std::atomic<int> readers_holding{0};
  std::atomic<bool> release{false};

  // Readers on their own threads (their own shards) hold the lock until released.
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      std::shared_lock lock(m);
      ++readers_holding;
      while (!release) std::this_thread::yield();
      if (writer_in) reader_saw_writer = true;
    });
  }
  while (readers_holding < 3) std::this_thread::yield();
  std::thread writer([&] {
    std::unique_lock lock(m);
    writer_in = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    writer_in = false;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK_FALSE(writer_in);  // still shut out by the readers
  release = true;
  for (auto& t : readers) t.join();
  writer.join();
  CHECK_FALSE(reader_saw_writer);

  // While the writer holds it, a new reader on any thread waits.
  std::atomic<bool> writer_holding{false};
  std::atomic<bool> overlap{false};
  std::thread w([&] {
    std::unique_lock lock(m);
    writer_holding = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    writer_holding = false;
  });
  while (!writer_holding) std::this_thread::yield();
  std::thread r([&] {
    std::shared_lock lock(m);
    if (writer_holding) overlap = true;
  });
  w.join();
  r.join();
  CHECK_FALSE(overlap);
}

}  // namespace
}  // namespace jwo::core
