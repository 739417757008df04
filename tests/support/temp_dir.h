// TempDir: a fresh directory under $TMPDIR (or /tmp) for one test, removed with its contents
// when the object is destroyed.
//
// Thread safety: distinct objects are independent.
#pragma once

#include <string>

namespace jwo::testing {

class TempDir {
 public:
  // Aborts the test program when no directory can be made: a test without its directory cannot
  // mean anything.
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace jwo::testing
