// Lab 11 starter: read README.md first (en español: README.es.md).
#pragma once
// ChatRoom: the chat itself, the protocol of lab 08 and nothing else. Who
// is here and under which name, what each line means (a command, or text
// for the others), and who must be told what.
//
// It never touches a socket and never waits: it reads no bytes (it is
// handed whole lines) and writes none (it hands text to each client's
// Outbox, which only queues it). So it does not know who drives it: in
// lab 08 a thread per client calls it, taking turns on one mutex (every
// call is short: nothing here waits for a client); in lab 09 one event
// loop calls it. It is not thread-safe by itself: its driver makes the
// calls take turns.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

using ClientId = std::uint64_t;

// What the room needs of a client's connection: a place to put its output,
// and a way to end it. The driver implements it (lab 08: a queue sent to
// after each turn, and the client's writer thread for what is left).
class Outbox {
public:
    // Queues bytes for the client. False when the client has stopped
    // reading and these would take it past --max-queue: the room then
    // drops the client. (A client that reads is never refused: the driver
    // keeps its output small by reading the senders no faster.)
    virtual bool deliver(std::string_view bytes) = 0;
    // The client is out of the room: write what is queued, then close.
    virtual void finish() = 0;
    // The client is dropped: close now; what is queued is thrown away.
    virtual void abort() = 0;

protected:
    ~Outbox() = default;
};

class ChatRoom {
public:
    // Lines longer than this (before the '\n', a '\r' counted) end the
    // connection: the reader's LineBuffer is built with this limit.
    static constexpr std::size_t max_line_length = 4096;

    explicit ChatRoom(std::size_t max_clients) : max_clients_(max_clients) {}

    // True when one more client would be over --max-clients: the driver
    // then answers "! server full" and closes, and nobody hears of it.
    bool full() const { return clients_.size() >= max_clients_; }

    // Lists a newcomer under its address, and tells everyone else
    // "* ADDR joined".
    ClientId join(const std::string& address, std::shared_ptr<Outbox> outbox);

    enum class Next { keep_reading, stop_reading };
    // One whole line from a client: a command, or text for the others.
    // stop_reading: the client is out of the room (it said /quit, or was
    // dropped): read nothing more from it.
    Next handle_line(ClientId id, std::string_view line);

    // The room may hold a sender's chat lines back, to give each of the
    // others all of them at once (one deliver() each for many lines:
    // batching). Anything else the room does gives them out first, so the
    // order is kept; the driver calls flush() when it has handed over all
    // the lines it has for now (the end of a turn, of a read).
    void flush();

    // The client sent more than max_line_length bytes without a '\n': it is
    // told "! line too long", and leaves.
    void line_too_long(ClientId id);

    // The client is gone (end of stream, reset): the others hear "* NAME
    // left", and its connection is finished. Nothing if it is not here
    // (it was dropped, or said /quit, before).
    void leave(ClientId id);

    // The driver found that the client has stopped reading with more than
    // --max-queue pending: it is dropped (its connection aborted, what is
    // queued thrown away) and the others hear "* NAME left". Nothing if it
    // is not here.
    void drop(ClientId id);

    // SIGINT or SIGTERM: everyone hears "* server shutting down", and every
    // connection is finished. The room is empty afterwards.
    void shut_down();

private:
    struct Client {
        std::string name;  // its address until it says /nick
        std::shared_ptr<Outbox> outbox;
    };

    void rename(ClientId id, std::string_view name);
    std::string who() const;
    bool name_taken(std::string_view name, ClientId asker) const;

    void say(ClientId id, const std::string& name, std::string_view text);  // a chat line, held back (flush)
    void tell(ClientId id, std::string_view text);
    void tell_everyone_but(ClientId id, std::string_view text);
    void remove(ClientId id);  // unlists it, tells the others, finishes its connection
    void drop_the_overflowing();

    std::size_t max_clients_;
    std::map<ClientId, Client> clients_;  // ids grow: in the order they connected
    std::vector<ClientId> overflowing_;   // stopped reading, past --max-queue: drop them
    ClientId next_id_ = 1;
    std::string said_;                    // "NAME says: LINE\n"... held back, for everyone but said_by_
    std::string spare_;                   // said_'s last buffer, kept for its capacity
    ClientId said_by_ = 0;
};

// Text as it may be shown to others: without control bytes (0x00 to 0x1F
// but tab, and 0x7F), which could drive their terminals (colours, cursor
// moves, a bell, "\r" overwriting the line).
std::string without_control_bytes(std::string_view text);

// 1 to 20 of A-Z a-z 0-9 _ -.
bool is_valid_name(std::string_view name);
