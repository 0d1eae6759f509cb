#include "stop_signal.hpp"

#include <sys/signalfd.h>

#include <csignal>
#include <system_error>

#include "net/errors.hpp"

StopSignal::StopSignal() {
    // ===== YOUR CODE (lab 08) =============================================
    // Block SIGINT and SIGTERM (pthread_sigmask), and make fd_ a signalfd
    // for them. See the handout, "Turning a signal into an event".
    // ===== END OF YOUR CODE ===============================================
}
