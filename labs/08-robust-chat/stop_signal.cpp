// Lab 08 starter: read README.md first (en español: README.es.md).
#include "stop_signal.hpp"

#include <sys/signalfd.h>

#include <csignal>
#include <system_error>

#include "net/errors.hpp"

StopSignal::StopSignal() {
    // ===== YOUR CODE (lab 08) =============================================
    // SIGINT and SIGTERM blocked in this thread (and so in every thread it
    // starts), fd_ readable once one has arrived (README.md, "Turning a
    // signal into an event").
    // ===== END OF YOUR CODE ===============================================
}
