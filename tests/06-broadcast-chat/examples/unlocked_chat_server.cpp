// Broken on purpose: the chat server with its list of clients shared by
// every thread and no lock. Everything else is right (whole lines, a write
// lock per client, errors caught per receiver). Built normally, it loses a
// line or a notice now and then, in whichever test the threads happen to
// collide: a data race shows only sometimes. Built with ThreadSanitizer it
// fails every time, at the first unsynchronised access: that is how the
// grader checks "no data race". (Registered in the ThreadSanitizer build.)

#include <algorithm>
#include <iostream>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/errors.hpp"
#include "net/line_reader.hpp"
#include "net/options.hpp"
#include "net/tcp.hpp"

namespace {

struct Member {
    net::Connection connection;
    std::string address;
    std::mutex write_mutex;
};

std::vector<std::shared_ptr<Member>> members;  // THE MISTAKE: no mutex guards this list

void send_to(Member& member, const std::string& line) {
    const std::lock_guard lock(member.write_mutex);
    try {
        net::send_all(member.connection, line);
    } catch (const std::system_error&) {
    }
}

void broadcast(const Member* except, const std::string& line) {
    for (const auto& member : members)  // read while another thread changes it
        if (member.get() != except) send_to(*member, line);
}

void serve(std::shared_ptr<Member> member) {
    try {
        net::LineReader reader(member->connection);
        while (const auto line = reader.read_line()) {
            if (line->empty()) continue;
            if (*line == "/who") {
                std::string answer = "* online:";
                for (const auto& other : members) answer += " " + other->address;
                send_to(*member, answer + "\n");
            } else {
                broadcast(member.get(), member->address + " says: " + *line + "\n");
            }
        }
    } catch (const std::exception&) {
    }
    std::erase(members, member);  // changed while other threads read it
    broadcast(member.get(), "* " + member->address + " left\n");
    const std::lock_guard lock(member->write_mutex);
    member->connection.socket.close();
}

}  // namespace

int main(int argc, char** argv) {
    const net::Options options = net::parse_options(argc, argv, "chat-server");
    const net::Socket listener = net::listen_or_exit(options, "chat-server");
    std::list<std::jthread> threads;
    while (true) {
        auto member = std::make_shared<Member>();
        member->connection = net::accept_client(listener);
        member->address = member->connection.peer.to_string();
        broadcast(member.get(), "* " + member->address + " joined\n");
        members.push_back(member);  // changed while other threads read it
        threads.emplace_back(serve, member);
    }
}
