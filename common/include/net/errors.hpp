#pragma once
// Every failing call becomes a std::system_error whose message names the call
// and the address it was about: "bind 127.0.0.1:8001: Address already in use".
// An error with no context ("Address already in use") leaves the reader to
// guess which of a dozen calls failed, and for which client.

#include <string>
#include <system_error>

namespace net {

// Throws std::system_error for errno, with "CALL CONTEXT" as its message.
[[noreturn]] void throw_errno(const std::string& call, const std::string& context);

// getaddrinfo() reports its errors in its own numbering (EAI_*), not errno:
// this category turns them into text with gai_strerror().
const std::error_category& address_lookup_category();

// True for the errors that mean "the other side went away": the connection
// was reset, or we wrote to a connection that is closed. For a server these
// are a normal way for a client to leave, not a reason to stop.
bool is_disconnect(const std::system_error& error);

}  // namespace net
