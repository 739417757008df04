// Small HTTP pieces of the portal's server-rendered pages: form and query decoding (Boost.URL),
// cookies, and the HTML page frame with its security headers. Pure; any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace jwo::portal::web {

using Form = std::map<std::string, std::string, std::less<>>;

// application/x-www-form-urlencoded ('+' is a space). kInvalidArgument for bad percent-escapes
// or a name given twice (no page of the portal sends one twice; a second value is an attack
// on whichever copy a check reads).
core::Result<Form> ParseForm(std::string_view body);
// The query of a request target ("/receipt?trip=T"); bad encoding gives an empty form.
Form ParseQuery(std::string_view target);
// Value of field `name`, or "".
std::string_view Field(const Form& form, std::string_view name);

// The value of cookie `name` in the request's Cookie headers, or "".
std::string Cookie(const http::Request& request, std::string_view name);
// A Set-Cookie value: Path=/, HttpOnly, SameSite as given, Secure when `secure`; max_age < 0:
// until the browser closes; 0: delete.
std::string SetCookie(std::string_view name, std::string_view value, bool secure,
                      std::string_view same_site, int max_age = -1);

// "203.0.113.9" of "203.0.113.9:51234", "::1" of "[::1]:51234".
std::string PeerAddress(std::string_view peer);

// &, <, >, " and ' as entities.
std::string Escape(std::string_view text);

// The frame every page shares: language, viewport, title, the stylesheet, a skip link, the
// header (with a sign-out button when `csrf_for_signout` is not empty) and `main`.
struct Frame {
  std::string store_name;
  std::string csrf_for_signout;  // signed in: the sign-out form's token
};
std::string Page(const Frame& frame, std::string_view title, std::string_view main_html);

// A text/html response with the portal's headers: a strict Content-Security-Policy (no script,
// styles from /portal.css only, forms to this origin), no framing, no referrer, no caching of
// personal pages.
http::Response Html(int status, std::string body);
// 303 See Other to `location` (after a POST: a reload does not post again).
http::Response Redirect(std::string_view location);

// The stylesheet served at /portal.css.
std::string_view Stylesheet();

}  // namespace jwo::portal::web
