// ParseHttpResponse: recognises one HTTP/1.x response at the start of a byte buffer — status
// line, headers, and a body framed by Content-Length or chunked encoding — so a connection
// can take responses that arrive split over several reads, or several in one read
// (pipelining), without copying them first.
//
// Pure function, any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace jwo::bench {

struct HttpResponse {
  int status = 0;          // 100-599
  size_t size = 0;         // bytes of the buffer this response occupies, headers included
  bool keep_alive = true;  // false when the server will close after it (Connection: close,
                           // or HTTP/1.0 without keep-alive)
  std::string_view body;   // into the buffer, or into `chunk_scratch` for a chunked body
};

enum class ParseOutcome {
  kComplete,    // *out describes the first response; the caller consumes out->size bytes
  kIncomplete,  // the buffer holds a prefix of a response: read more and call again
  kMalformed,   // not HTTP/1.x, a bad header or length, a header block over 64 KiB, or a
                // 2xx-5xx response framed only by connection close (not used by a keep-alive
                // benchmark peer)
};

// Parses the response at the start of `buffer`. On kComplete fills *out; a chunked body is
// reassembled into *chunk_scratch (which out->body then points into). A 1xx response is
// returned as complete with no body: the caller skips it and waits for the final response.
// REQUIRES: out and chunk_scratch are non-null.
ParseOutcome ParseHttpResponse(std::string_view buffer, HttpResponse* out,
                               std::string* chunk_scratch);

}  // namespace jwo::bench
