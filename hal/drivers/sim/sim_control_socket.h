// SimControlSocket: the sim driver's own unix stream socket, served from poll() without
// blocking, so tests, demos and scripts can drive a simulated gate without jwo-edgectl.
//
// Protocol: one JSON request per line, one answer per line (see sim_gate.h). At most
// kMaxClients connections; a line longer than kMaxLine bytes closes its connection; an answer
// that the client does not read is buffered up to kMaxPending bytes, then the connection is
// closed. Not thread-safe: called from the instance's thread only.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace jwo::hal::sim {

class SimControlSocket {
 public:
  static constexpr size_t kMaxClients = 8;
  static constexpr size_t kMaxLine = 4096;
  static constexpr size_t kMaxPending = 64 * 1024;

  // Maps a request line to its answer line (without the newline).
  using Handler = std::function<std::string(std::string_view)>;

  SimControlSocket() = default;
  ~SimControlSocket();
  SimControlSocket(const SimControlSocket&) = delete;
  SimControlSocket& operator=(const SimControlSocket&) = delete;

  // Binds and listens on `path` (replacing a stale socket file there). Returns false and sets
  // *error ("bind /run/x.sock: Address already in use") on failure.
  bool Listen(const std::string& path, std::string* error);
  // Accepts, reads and answers whatever is ready; never waits.
  void Service(const Handler& handler);

 private:
  struct Client {
    int fd = -1;
    std::string in;
    std::string out;
  };

  void Flush(Client& c);
  static void CloseClient(Client& c);

  int listen_fd_ = -1;
  std::string path_;
  std::vector<Client> clients_;
};

}  // namespace jwo::hal::sim
