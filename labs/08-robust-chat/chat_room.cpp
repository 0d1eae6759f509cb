// Lab 08: the protocol. Given: joining, leaving, /who, relaying, and the
// helpers that deliver to one client or to everyone. Yours: the parts
// marked YOUR CODE. Guarantees are in chat_room.hpp; the handout says how.
#include "chat_room.hpp"

#include <algorithm>
#include <utility>

#include "not_written_yet.hpp"

ClientId ChatRoom::join(const std::string& address, std::shared_ptr<Outbox> outbox) {
    const ClientId id = next_id_++;
    clients_.emplace(id, Client{address, std::move(outbox)});
    tell_everyone_but(id, "* " + address + " joined\n");
    drop_the_overflowing();
    return id;
}

ChatRoom::Next ChatRoom::handle_line(ClientId id, std::string_view line) {
    // ===== YOUR CODE (lab 08) =============================================
    // Lab 06's rules (/who to the asker, other non-empty lines relayed as
    // "NAME says: LINE") and lab 08's: /quit, /nick NAME (rename, below),
    // any other line starting with '/' answered "! unknown command: LINE",
    // control bytes removed from relayed text (without_control_bytes), a
    // line left empty ignored. Afterwards drop_the_overflowing(), and say
    // whether to keep reading this client.
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

void ChatRoom::shut_down() {
    for (auto& [id, client] : clients_) {
        // A client whose queue is full does not get the notice; it is
        // closed all the same (by the driver, if it never reads again).
        client.outbox->deliver("* server shutting down\n");
        client.outbox->finish();
    }
    clients_.clear();
    overflowing_.clear();
}

void ChatRoom::rename(ClientId id, std::string_view name) {
    // ===== YOUR CODE (lab 08) =============================================
    // "! invalid name", "! name taken", or the new name, with
    // "* OLD is now NAME" to the others and "* you are now NAME" to it.
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

void ChatRoom::tell(ClientId id, std::string_view text) {
    const auto client = clients_.find(id);
    if (client == clients_.end()) return;
    if (!client->second.outbox->deliver(text)) overflowing_.push_back(id);
}

void ChatRoom::tell_everyone_but(ClientId id, std::string_view text) {
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

// A client whose pending output went past --max-queue has stopped reading
// (or reads far slower than the others talk). Waiting for it would stall
// everyone; queueing without end would let it eat the server's memory.
// So it goes, and the others hear it leave. Telling them may in turn push
// another slow client over its limit: hence the loop.
void ChatRoom::drop_the_overflowing() {
    // ===== YOUR CODE (lab 08) =============================================
    // Each client listed in overflowing_ (its output went past
    // --max-queue) is dropped: unlisted, its connection aborted, and the
    // others told "* NAME left". Telling them may put another client over
    // its limit in turn.
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
