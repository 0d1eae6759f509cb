// Lab 08 starter: read README.md first (en español: README.es.md).
#include "chat_room.hpp"

#include <algorithm>
#include <utility>

#include "not_written_yet.hpp"

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
    // ===== YOUR CODE (lab 08) =============================================
    // The contract's rules for a line: lab 06's (/who to the asker; other
    // non-empty lines to everyone else, with say()) and lab 08's (/quit, /nick
    // NAME with rename(), "! unknown command: LINE", control bytes removed, a
    // line left empty ignored). A client that is not here (dropped meanwhile)
    // is read no more. Clients whose outboxes refused output are dropped before
    // it returns (drop_the_overflowing).
    (void)id;
    (void)line;
    not_written_yet("ChatRoom::handle_line");
    // ===== END OF YOUR CODE ===============================================
}

void ChatRoom::line_too_long(ClientId id) {
    // ===== YOUR CODE (lab 08) =============================================
    (void)id;
    not_written_yet("ChatRoom::line_too_long");
    // ===== END OF YOUR CODE ===============================================
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
    // ===== YOUR CODE (lab 08) =============================================
    // "! invalid name", "! name taken", or the new name, with "* OLD is now
    // NAME" to the others and "* you are now NAME" to it.
    (void)id;
    (void)name;
    not_written_yet("ChatRoom::rename");
    // ===== END OF YOUR CODE ===============================================
}

std::string ChatRoom::who() const {
    std::string answer = "* online:";
    for (const auto& [id, client] : clients_) answer += " " + client.name;
    return answer;
}

bool ChatRoom::name_taken(std::string_view name, ClientId asker) const {
    // ===== YOUR CODE (lab 08) =============================================
    (void)name;
    (void)asker;
    not_written_yet("ChatRoom::name_taken");
    // ===== END OF YOUR CODE ===============================================
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
    // ===== YOUR CODE (lab 08) =============================================
    // Each client listed in overflowing_ is dropped: unlisted, its connection
    // aborted, and the others told "* NAME left". Telling them may have
    // another outbox refuse in turn. A client listed twice, or gone already,
    // is dropped once.
    if (!overflowing_.empty()) not_written_yet("ChatRoom::drop_the_overflowing");
    // ===== END OF YOUR CODE ===============================================
}

std::string without_control_bytes(std::string_view text) {
    // ===== YOUR CODE (lab 08) =============================================
    (void)text;
    not_written_yet("without_control_bytes");
    // ===== END OF YOUR CODE ===============================================
}

bool is_valid_name(std::string_view name) {
    // ===== YOUR CODE (lab 08) =============================================
    (void)name;
    not_written_yet("is_valid_name");
    // ===== END OF YOUR CODE ===============================================
}
