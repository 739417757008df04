#include "portal/web.h"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include "mail/receipt.h"

namespace jwo::portal::web {
namespace urls = boost::urls;

core::Result<Form> ParseForm(std::string_view body) {
  const core::Status bad(core::StatusCode::kInvalidArgument, "the form is not well encoded");
  if (!urls::parse_query(body)) return bad;  // validated first: the view below then cannot throw
  urls::encoding_opts opts;
  opts.space_as_plus = true;
  Form form;
  // (Boost 1.81 exports params_view(string_view, encoding_opts), not the copy-with-options form.)
  for (const urls::param& p : urls::params_view(body, opts)) {
    if (!form.emplace(p.key, p.value).second) return bad;
  }
  return form;
}

Form ParseQuery(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  auto form = ParseForm(target.substr(q + 1));
  return form.ok() ? std::move(*form) : Form{};
}

std::string_view Field(const Form& form, std::string_view name) {
  auto it = form.find(name);
  return it == form.end() ? std::string_view() : std::string_view(it->second);
}

std::string Cookie(const http::Request& request, std::string_view name) {
  for (const auto& [header, value] : request.headers) {
    if (!http::EqualsIgnoreCase(header, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
        return std::string(pair.substr(eq + 1));
      }
    }
  }
  return {};
}

std::string SetCookie(std::string_view name, std::string_view value, bool secure,
                      std::string_view same_site, int max_age) {
  std::string c = std::string(name) + "=" + std::string(value) +
                  "; Path=/; HttpOnly; SameSite=" + std::string(same_site);
  if (secure) c += "; Secure";
  if (max_age >= 0) c += "; Max-Age=" + std::to_string(max_age);
  return c;
}

std::string PeerAddress(std::string_view peer) {
  if (!peer.empty() && peer.front() == '[') {
    const size_t close = peer.find(']');
    return std::string(peer.substr(1, close == std::string_view::npos ? peer.size() : close - 1));
  }
  const size_t colon = peer.rfind(':');
  return std::string(colon == std::string_view::npos ? peer : peer.substr(0, colon));
}

std::string Escape(std::string_view text) { return mail::HtmlEscape(text); }

std::string Page(const Frame& frame, std::string_view title, std::string_view main_html) {
  std::string h;
  h.reserve(main_html.size() + 1024);
  h += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
       "<title>";
  h += Escape(title);
  h += " — ";
  h += Escape(frame.store_name);
  h += "</title><link rel=\"stylesheet\" href=\"/portal.css\"></head><body>"
       "<a class=\"skip\" href=\"#main\">Skip to content</a><header><p class=\"store\">";
  h += Escape(frame.store_name);
  h += "</p>";
  if (!frame.csrf_for_signout.empty()) {
    h += "<nav aria-label=\"Account\"><a href=\"/account\">Your account</a>"
         "<form method=\"post\" action=\"/signout\"><input type=\"hidden\" name=\"csrf\" value=\"";
    h += Escape(frame.csrf_for_signout);
    h += "\"><button type=\"submit\" class=\"link\">Sign out</button></form></nav>";
  }
  h += "</header><main id=\"main\" tabindex=\"-1\"><h1>";
  h += Escape(title);
  h += "</h1>";
  h += main_html;
  h += "</main></body></html>\n";
  return h;
}

http::Response Html(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = "text/html; charset=utf-8";
  r.headers = {
      {"Content-Security-Policy",
       "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'"},
      {"X-Frame-Options", "DENY"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-store"},
  };
  return r;
}

http::Response Redirect(std::string_view location) {
  http::Response r = Html(303, "");
  r.content_type = {};
  r.headers.emplace_back("Location", std::string(location));
  return r;
}

std::string_view Stylesheet() {
  // Contrast: text #1a1a1a on #fff (17:1), links and buttons #0b4f9c on #fff (8.6:1), white on
  // #0b4f9c buttons (8.6:1), errors #8a1010 (9.9:1). Focus is always visible.
  return R"css(*{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
header{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.75rem 1rem;border-bottom:1px solid #c8c8c8;flex-wrap:wrap}
header nav{display:flex;gap:1rem;align-items:center}
.store{font-weight:700;margin:0}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
a{color:#0b4f9c}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input,select{font:inherit;width:100%;padding:.6rem;border:2px solid #555;border-radius:4px;background:#fff;color:#1a1a1a}
button{font:inherit;font-weight:600;padding:.65rem 1.2rem;margin-top:1rem;border:2px solid #0b4f9c;border-radius:4px;background:#0b4f9c;color:#fff;cursor:pointer;min-height:44px}
button.secondary{background:#fff;color:#0b4f9c}
button.link{background:none;border:none;color:#0b4f9c;text-decoration:underline;padding:0;margin:0;min-height:0}
:focus-visible{outline:3px solid #c25e00;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
.error{color:#8a1010;border-left:4px solid #8a1010;padding:.5rem .75rem;background:#fdf0f0}
.notice{border-left:4px solid #0b6b2e;padding:.5rem .75rem;background:#eef8f1}
.hint{color:#4a4a4a;font-size:.95rem}
table{width:100%;border-collapse:collapse;margin:.5rem 0}
th,td{text-align:left;padding:.4rem .3rem;border-bottom:1px solid #ddd;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}
.receipt{border:1px solid #c8c8c8;padding:.75rem;overflow-x:auto}
fieldset{border:1px solid #c8c8c8;padding:.5rem 1rem 1rem;margin:1rem 0}
)css";
}

}  // namespace jwo::portal::web
