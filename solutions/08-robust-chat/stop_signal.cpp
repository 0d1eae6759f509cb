#include "stop_signal.hpp"

#include <sys/signalfd.h>

#include <csignal>
#include <system_error>

#include "net/errors.hpp"

StopSignal::StopSignal() {
    // BEGIN YOURS
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    if (const int error = pthread_sigmask(SIG_BLOCK, &signals, nullptr); error != 0)
        throw std::system_error(error, std::generic_category(), "pthread_sigmask");
    fd_ = net::Socket(::signalfd(-1, &signals, SFD_CLOEXEC));
    if (!fd_.is_open()) net::throw_errno("signalfd", "for SIGINT and SIGTERM");
    // INSTEAD
    //| // SIGINT and SIGTERM blocked in this thread (and so in every thread it
    //| // starts), fd_ readable once one has arrived (README.md, "Turning a
    //| // signal into an event").
    // END YOURS
}
