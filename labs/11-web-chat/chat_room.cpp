// Lab 11 starter: read README.md first (en español: README.es.md).
#include "chat_room.hpp"

#include <algorithm>
#include <utility>

namespace {

// Held-back chat lines go out once they are this many bytes (or sooner):
// enough to make one deliver() do the work of many, little enough for
// flow control to see the queues grow soon.
constexpr std::size_t said_batch_bytes = 16 * 1024;

}  // namespace

ClientId ChatRoom::join(const std::string& address, std::shared_ptr<Outbox> outbox) {
    const ClientId id = next_id_++;
    clients_.emplace(id, Client{address, std::move(outbox)});
    tell_everyone_but(id, "* " + address + " joined\n");
    drop_the_overflowing();
    return id;
}

ChatRoom::Next ChatRoom::handle_line(ClientId id, std::string_view line) {
    const auto sender = clients_.find(id);
    if (sender == clients_.end()) return Next::stop_reading;  // dropped meanwhile
    // Commands are whole lines, matched exactly: "/who " or "/WHO" are not
    // /who, and since they start with '/' they are unknown commands (a
    // mistyped command is not sent to everyone as chat).
    if (line == "/quit") {
        remove(id);  // what it sent after "/quit" is never read
    } else if (line == "/who") {
        tell(id, who() + "\n");
    } else if (line == "/nick" || line.starts_with("/nick ")) {
        rename(id, line.substr(std::min(line.size(), std::string_view("/nick ").size())));
    } else if (line.starts_with('/')) {
        tell(id, "! unknown command: " + without_control_bytes(line) + "\n");
    } else if (const std::string text = without_control_bytes(line); !text.empty()) {
        // Relaying a line only appends it to the others' queues, and never
        // waits for any client; with the sender's other lines, at once.
        say(id, sender->second.name, text);
    }
    drop_the_overflowing();  // perhaps the asker itself, if it asked /who and reads nothing
    return clients_.contains(id) ? Next::keep_reading : Next::stop_reading;
}

void ChatRoom::line_too_long(ClientId id) {
    tell(id, "! line too long\n");
    leave(id);
}

void ChatRoom::leave(ClientId id) {
    if (!clients_.contains(id)) return;
    remove(id);
    drop_the_overflowing();
}

void ChatRoom::flush() {
    if (said_.empty()) return;
    // Delivered from a buffer of its own: tell_everyone_but() flushes too.
    std::string said = std::exchange(said_, std::move(spare_));
    tell_everyone_but(said_by_, said);
    said.clear();
    spare_ = std::move(said);
    drop_the_overflowing();
}

void ChatRoom::drop(ClientId id) {
    overflowing_.push_back(id);
    drop_the_overflowing();
}

void ChatRoom::shut_down() {
    flush();
    for (auto& [id, client] : clients_) {
        // A client that stopped reading, past --max-queue, does not get the
        // notice; it is closed all the same (by the driver, which gives
        // every client a moment to take what it is owed).
        client.outbox->deliver("* server shutting down\n");
        client.outbox->finish();
    }
    clients_.clear();
    overflowing_.clear();
}

void ChatRoom::rename(ClientId id, std::string_view name) {
    if (!is_valid_name(name)) return tell(id, "! invalid name\n");
    if (name_taken(name, id)) return tell(id, "! name taken\n");
    Client& client = clients_.at(id);
    const std::string old_name = std::exchange(client.name, std::string(name));
    tell_everyone_but(id, "* " + old_name + " is now " + client.name + "\n");
    tell(id, "* you are now " + client.name + "\n");
}

std::string ChatRoom::who() const {
    std::string answer = "* online:";
    for (const auto& [id, client] : clients_) answer += " " + client.name;
    return answer;
}

bool ChatRoom::name_taken(std::string_view name, ClientId asker) const {
    // An address can never be taken as a name (':' is not allowed in one),
    // so comparing names alone is enough; byte for byte: "Bob" is not "bob".
    return std::ranges::any_of(clients_, [&](const auto& entry) {
        return entry.first != asker && entry.second.name == name;
    });
}

// One sender's chat lines wait in said_, built once for everyone else,
// until something else happens (tell, tell_everyone_but), another sender
// speaks, they are many, or the driver flushes.
void ChatRoom::say(ClientId id, const std::string& name, std::string_view text) {
    if (said_by_ != id) flush();
    said_by_ = id;
    said_.append(name).append(" says: ").append(text).push_back('\n');
    if (said_.size() >= said_batch_bytes) flush();
}

void ChatRoom::tell(ClientId id, std::string_view text) {
    flush();  // what was said before comes first
    const auto client = clients_.find(id);
    if (client == clients_.end()) return;
    if (!client->second.outbox->deliver(text)) overflowing_.push_back(id);
}

void ChatRoom::tell_everyone_but(ClientId id, std::string_view text) {
    flush();  // what was said before comes first
    for (auto& [other, client] : clients_)
        if (other != id && !client.outbox->deliver(text)) overflowing_.push_back(other);
}

void ChatRoom::remove(ClientId id) {
    const auto client = clients_.find(id);
    const std::string name = client->second.name;
    client->second.outbox->finish();
    clients_.erase(client);
    tell_everyone_but(id, "* " + name + " left\n");
}

// A client that has stopped reading, with more than --max-queue pending
// (its Outbox refused a line, or its driver saw it): waiting for it would
// stall everyone, queueing without end would let it eat the server's
// memory. So it goes, and the others hear it leave. Telling them may in
// turn refuse another stalled client: hence the loop.
void ChatRoom::drop_the_overflowing() {
    while (!overflowing_.empty()) {
        const ClientId id = overflowing_.back();
        overflowing_.pop_back();
        const auto client = clients_.find(id);
        if (client == clients_.end()) continue;  // already gone (listed twice)
        const std::string name = client->second.name;
        client->second.outbox->abort();
        clients_.erase(client);
        tell_everyone_but(id, "* " + name + " left\n");
    }
}

std::string without_control_bytes(std::string_view text) {
    std::string shown;
    shown.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && byte != '\t') || byte == 0x7F) continue;
        shown += c;
    }
    return shown;
}

bool is_valid_name(std::string_view name) {
    if (name.empty() || name.size() > 20) return false;
    return std::ranges::all_of(name, [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}
