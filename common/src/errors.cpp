#include "net/errors.hpp"

#include <cerrno>

#include <netdb.h>

namespace net {

void throw_errno(const std::string& call, const std::string& context) {
    const int error = errno;  // read first: building strings may change errno
    std::string what = call;
    if (!context.empty()) what += " " + context;
    throw std::system_error(error, std::system_category(), what);
}

namespace {
class AddressLookupCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "getaddrinfo"; }
    std::string message(int code) const override { return ::gai_strerror(code); }
};
}  // namespace

const std::error_category& address_lookup_category() {
    static const AddressLookupCategory category;
    return category;
}

bool is_disconnect(const std::system_error& error) {
    if (error.code().category() != std::system_category()) return false;
    switch (error.code().value()) {
        case ECONNRESET:  // the peer aborted the connection (a TCP reset)
        case EPIPE:       // we wrote after the peer closed
        case ENOTCONN:
        case ETIMEDOUT:   // the peer vanished without a word
        case ECONNABORTED:
            return true;
        default:
            return false;
    }
}

}  // namespace net
