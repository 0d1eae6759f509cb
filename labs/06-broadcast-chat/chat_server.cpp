// Lab 06 — chat-server: every line a client sends goes to every other
// client. Read README.md in this folder first.
//
// Already done for you (it is lab 05's server): the command line, the
// accept loop, one thread per client (net::ClientThreads, lab 04's, now in
// common/), lines read with net::LineReader, and the registry of clients with its mutex and its
// answer to /who. Your parts are marked YOUR CODE below:
//   1. Member: a client the other threads can write to, one line at a time;
//   2. ClientRegistry: the join and leave notices, and relaying a line;
//   3. relay_lines: what to do with each line.
// Grade it with:   ./lab test 06

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

// One connected client, as every thread sees it. Its own thread reads from
// its connection; any thread may write to it.
class Member {
public:
    Member(std::uint64_t id, net::Connection connection)
        : id_(id), address_(connection.peer.to_string()), connection_(std::move(connection)) {}

    std::uint64_t id() const { return id_; }
    const std::string& address() const { return address_; }  // "127.0.0.1:51234"

    // For this client's own thread, which alone reads from it.
    const net::Connection& connection() const { return connection_; }

    // Sends one whole line to this client. Any thread may call it, at any
    // time, also while another thread is sending to the same client.
    void send(std::string_view line) {
        // ===== YOUR CODE (lab 06) =========================================
        // - net::send_all sends every byte (it may need several send()s);
        // - two threads must never write to this client at the same time:
        //   their bytes could mix. Take turns on a mutex of this Member.
        // - once close() has run, send nothing (the socket is closed: its
        //   number may already belong to another client).
        // send_all throws std::system_error when the client has gone: let
        // it propagate, the caller decides.
        (void)line;
        // ===== END OF YOUR CODE ===========================================
    }

    // Closes the connection: called by the client's own thread, once the
    // others have been told it left.
    void close() {
        // ===== YOUR CODE (lab 06) =========================================
        // Close the socket (connection_.socket.close()), so that no other
        // thread is in the middle of a send to it.
        // ===== END OF YOUR CODE ===========================================
    }

private:
    const std::uint64_t id_;
    const std::string address_;
    // ===== YOUR CODE (lab 06): what else a Member needs ===================
    // ===== END OF YOUR CODE ===============================================
    net::Connection connection_;
};

using Members = std::vector<std::shared_ptr<Member>>;

// Everyone connected, in the order they connected (lab 05).
class ClientRegistry {
public:
    // Lists a newly accepted client. Only the accept loop calls it, one
    // client after another, so the list is in connection order.
    std::shared_ptr<Member> add(net::Connection connection) {
        // ===== YOUR CODE (lab 06): change this function as you need =======
        // Everyone who was already here gets "* ADDR joined"; the newcomer
        // gets nothing. Who "was already here" is decided under the same
        // lock as the change to the list; the sending happens after.
        std::shared_ptr<Member> member;
        {
            const std::lock_guard lock(mutex_);
            member = std::make_shared<Member>(next_id_++, std::move(connection));
            members_.push_back(member);
        }
        return member;
        // ===== END OF YOUR CODE ===========================================
    }

    // Unlists a client that has left.
    void remove(const Member& leaving) {
        // ===== YOUR CODE (lab 06): change this function as you need =======
        // Everyone still here gets "* ADDR left".
        const std::lock_guard lock(mutex_);
        std::erase_if(members_, [&](const auto& member) { return member->id() == leaving.id(); });
        // ===== END OF YOUR CODE ===========================================
    }

    // Sends "ADDR says: LINE" to everyone but the sender.
    void relay(const Member& sender, const std::string& line) {
        // ===== YOUR CODE (lab 06) =========================================
        // Think about what you do while holding mutex_: a send can wait for
        // a slow reader, and every other thread needs the list meanwhile.
        // A client that has gone makes its send throw: the others must
        // still get the line.
        (void)sender;
        (void)line;
        // ===== END OF YOUR CODE ===========================================
    }

    // "* online: ADDR ADDR ...": everyone, in connection order.
    std::string who() const {
        const std::lock_guard lock(mutex_);
        std::string answer = "* online:";
        for (const std::shared_ptr<Member>& member : members_) answer += " " + member->address();
        return answer + "\n";
    }

private:
    mutable std::mutex mutex_;  // guards members_ and next_id_
    Members members_;
    std::uint64_t next_id_ = 1;
};

// The lines of one client, until it leaves.
void relay_lines(ClientRegistry& registry, Member& member) {
    net::LineReader reader(member.connection());
    while (const std::optional<std::string> line = reader.read_line()) {
        if (*line == "/who") {
            member.send(registry.who());
        }
        // ===== YOUR CODE (lab 06) =========================================
        // Empty lines are ignored; any other line is relayed.
        // ===== END OF YOUR CODE ===========================================
    }
}

// The body of a client's thread. However the conversation ends, the others
// hear that it left, and then its connection is closed.
void serve_client(ClientRegistry& registry, std::shared_ptr<Member> member) {
    try {
        relay_lines(registry, *member);
    } catch (const std::system_error& error) {
        if (!net::is_disconnect(error)) std::cerr << "chat-server: " << error.what() << std::endl;
    } catch (const std::exception& error) {
        std::cerr << "chat-server: " << member->address() << ": " << error.what() << std::endl;
    }
    registry.remove(*member);
    member->close();
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "chat-server");
    const net::Socket listener = net::listen_or_exit(options, "chat-server");

    ClientRegistry registry;
    net::ClientThreads threads;
    try {
        while (true) {
            std::shared_ptr<Member> member = registry.add(net::accept_client(listener));
            threads.join_finished();
            threads.start(serve_client, std::ref(registry), std::move(member));
        }
    } catch (const std::system_error& error) {
        std::cerr << "chat-server: " << error.what() << std::endl;
        return 1;
    }
}
