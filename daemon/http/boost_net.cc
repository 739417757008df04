// The one translation unit that compiles Boost.Asio (with its SSL support) and Boost.Beast.
//
// Every target that uses Asio or Beast links jwo_boost_net, which defines
// BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION for it, so their
// non-template code is compiled here once instead of in each user (toolchain-notes.md).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
