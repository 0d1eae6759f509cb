// Lab 06 — chat-server: the concurrent broadcast chat server.
//
// Lab 05's server with one change of direction: a line no longer goes back
// to its sender, it goes to everyone else. That one change is the lesson,
// because now a thread writes to sockets it does not own:
//
//   main thread (accept loop)              one thread per client
//   ------------------------------         ----------------------------------
//   accept a client                        read its lines (net::LineReader)
//   registry.add: list it, and tell        "/who" -> answer the asker alone
//     everyone already here                other  -> relay to every other client
//   start the client's thread              gone   -> registry.remove: the others
//                                                    hear "* ADDR left"; close
//
// Three things are shared between threads, and each has its rule:
//   - the list of clients (ClientRegistry::members_): every use takes the
//     registry's mutex, held only long enough to change or copy the list;
//   - each client's socket (Member): many threads may write to it, so the
//     writes take turns on that client's own write mutex, one whole line
//     at a time; its own thread alone reads from it;
//   - each Member itself: a std::shared_ptr, so that a client that leaves
//     while another thread is relaying a line to it is not freed under
//     that thread's feet.
//
// Slow clients (one that stops reading) are not handled here: a thread
// relaying to one waits until it reads again. Lab 08 is about them.

#include <cstdint>
#include <exception>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "net/client_threads.hpp"
#include "net/errors.hpp"
#include "net/line_reader.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

// One connected client, as every thread sees it: its number, its address,
// and the connection the others write to.
class Member {
public:
    Member(std::uint64_t id, net::Connection connection)
        : id_(id), address_(connection.peer.to_string()), connection_(std::move(connection)) {}

    std::uint64_t id() const { return id_; }
    const std::string& address() const { return address_; }  // "127.0.0.1:51234"

    // For this client's own thread, which alone reads from it.
    const net::Connection& connection() const { return connection_; }

    // Sends one whole line. Any thread may call it, so writes take turns:
    // send_all may need several send() calls for one line, and without the
    // lock another thread's line could land between two of them, mixing
    // "alice says: hello" and "bob says: hi" into one garbled line.
    // Throws std::system_error if the client has gone (a reset, say).
    void send(std::string_view line) {
        const std::lock_guard lock(write_mutex_);
        if (!connection_.socket.is_open()) return;  // it has left: nobody to tell
        net::send_all(connection_, line);
    }

    // Closes the connection, under the write lock: no other thread is then
    // in the middle of a send() to this descriptor, and none will start one
    // (send() sees the socket closed). Without the lock, a thread could
    // write to the number after close() freed it, when accept() may already
    // have given that number to a new client.
    void close() {
        const std::lock_guard lock(write_mutex_);
        connection_.socket.close();
    }

private:
    const std::uint64_t id_;
    const std::string address_;
    std::mutex write_mutex_;  // guards writing to, and closing, connection_
    net::Connection connection_;
};

using Members = std::vector<std::shared_ptr<Member>>;

// Sends the line to each member. One that fails has gone (a reset): its own
// thread will see that and leave, with its notice. We skip it and go on:
// one dead client must never keep the line from the others.
void send_to_each(const Members& members, const std::string& line) {
    for (const std::shared_ptr<Member>& member : members) {
        try {
            member->send(line);
        } catch (const std::system_error& error) {
            if (!net::is_disconnect(error)) std::cerr << "chat-server: " << error.what() << std::endl;
        }
    }
}

// Everyone connected, in the order they connected. The mutex guards the
// list and is held only to change it or copy it, never while sending: a
// send can wait (for a client that is slow to read), and every other
// thread, the accept loop included, needs the list meanwhile. A copy of the
// list is a vector of shared_ptr, cheap to make, and each Member in it
// stays alive as long as the copy does.
class ClientRegistry {
public:
    // Lists a newly accepted client and tells everyone already here. Only
    // the accept loop calls it, one client after another, so the list is
    // in connection order and everyone hears of arrivals in that order.
    // The newcomer is listed before anyone hears of it: whoever reads
    // "* ADDR joined" and answers at once is heard by the newcomer.
    std::shared_ptr<Member> add(net::Connection connection) {
        Members already_here;
        std::shared_ptr<Member> member;
        {
            const std::lock_guard lock(mutex_);
            member = std::make_shared<Member>(next_id_++, std::move(connection));
            already_here = members_;
            members_.push_back(member);
        }
        send_to_each(already_here, "* " + member->address() + " joined\n");
        return member;
    }

    // Unlists a client and tells everyone still here. Taking it off the
    // list and copying the rest happen under one lock: nobody who is told
    // it left can be sent anything from it afterwards.
    void remove(const Member& leaving) {
        Members still_here;
        {
            const std::lock_guard lock(mutex_);
            std::erase_if(members_, [&](const auto& member) { return member->id() == leaving.id(); });
            still_here = members_;
        }
        send_to_each(still_here, "* " + leaving.address() + " left\n");
    }

    // "ADDR says: LINE" to everyone but the sender.
    void relay(const Member& sender, const std::string& line) {
        send_to_each(everyone_but(sender), sender.address() + " says: " + line + "\n");
    }

    // "* online: ADDR ADDR ...": everyone, in connection order.
    std::string who() const {
        const std::lock_guard lock(mutex_);
        std::string answer = "* online:";
        for (const std::shared_ptr<Member>& member : members_) answer += " " + member->address();
        return answer + "\n";
    }

private:
    Members everyone_but(const Member& sender) const {
        const std::lock_guard lock(mutex_);
        Members others;
        for (const std::shared_ptr<Member>& member : members_)
            if (member->id() != sender.id()) others.push_back(member);
        return others;
    }

    mutable std::mutex mutex_;  // guards members_ and next_id_
    Members members_;
    std::uint64_t next_id_ = 1;
};

// The lines of one client, until it leaves. Empty lines are ignored;
// "/who", exactly, is answered to the asker alone; every other line is
// relayed. One thread reads this client at a time (this one), so its lines
// go out in the order it sent them, each whole.
void relay_lines(ClientRegistry& registry, Member& member) {
    net::LineReader reader(member.connection());
    while (const std::optional<std::string> line = reader.read_line()) {
        if (line->empty()) continue;
        if (*line == "/who") {
            member.send(registry.who());
        } else {
            registry.relay(member, *line);
        }
    }
    // read_line() returned nothing: the client closed its side, after its
    // last line (even one without '\n') was relayed.
}

// The body of a client's thread. However the conversation ends (the client
// closes its side, resets, or something fails), the others hear that it
// left, and then its connection is closed.
void serve_client(ClientRegistry& registry, std::shared_ptr<Member> member) {
    try {
        relay_lines(registry, *member);
    } catch (const std::system_error& error) {
        // A reset is a client leaving without a goodbye; a line it had only
        // half sent goes nowhere. Anything else: say so.
        if (!net::is_disconnect(error)) std::cerr << "chat-server: " << error.what() << std::endl;
    } catch (const std::exception& error) {
        // For instance net::LineTooLong: a line over 1 MiB without '\n'.
        std::cerr << "chat-server: " << member->address() << ": " << error.what() << std::endl;
    }
    registry.remove(*member);
    member->close();
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "chat-server");
    const net::Socket listener = net::listen_or_exit(options, "chat-server");

    // Declared in this order, so destroyed in the other: the threads are
    // joined before the registry they use goes away.
    ClientRegistry registry;
    net::ClientThreads threads;
    try {
        while (true) {
            std::shared_ptr<Member> member = registry.add(net::accept_client(listener));
            threads.join_finished();
            threads.start(serve_client, std::ref(registry), std::move(member));
        }
    } catch (const std::system_error& error) {
        // Only accept() gets here: the listening socket itself failed.
        // Returning destroys `threads`, which joins every thread: the
        // clients still connected are served until they leave.
        std::cerr << "chat-server: " << error.what() << std::endl;
        return 1;
    }
}
