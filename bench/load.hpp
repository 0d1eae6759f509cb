#pragma once
// One measurement: N clients connect to a chat server, S of them send M
// lines each, and every client checks what reaches it. All clients live in
// one thread and one epoll set (the bench must not need 10,000 threads to
// measure a server that should not need them either).
//
// Each line sent is "m SENDER SEQ SENT_AT CHECK": who sent it, its number,
// when (steady clock, nanoseconds: sender and receiver are one process) and
// a checksum of the three, so a receiver can tell a line that arrived whole
// from one mixed with another (garbled), a repeat (duplicated), one that
// overtook an earlier line of the same sender (out of order), and, at the
// end, the ones that never came (lost). Lab 06/08/09 servers deliver it as
// "ADDR says: m ..." or "NAME says: m ..."; `ncat --broker` relays the raw
// bytes, "m ...". Lines that start with "* " are the server's notices.

#include <cstdint>
#include <functional>
#include <string>

#include "server_process.hpp"

namespace bench {

struct RunSpec {
    int clients = 10;
    int senders = 10;           // clients 0..senders-1 send
    int lines_per_sender = 10;
    double lines_per_second = 0;  // per sender; 0: as fast as the server takes them
    int lines_per_write = 8;      // unpaced: lines per send(), at most
    int max_in_flight = 64;       // unpaced: a sender's lines not yet delivered to every other client, at most
    bool storm = false;           // unpaced, no window: every sender writes all its lines as fast as its socket takes them
    double connect_seconds = 20;  // to connect everyone and see them all served
    double deliver_seconds = 20;  // to send and deliver every line
    int connect_window = 100;     // clients connecting the server has not taken in yet, at most
    bool join_notices = true;     // the server sends "* ADDR joined" (ncat does not)
};

struct RunResult {
    int connected = 0;  // connections that completed
    int served = 0;     // clients a line reached before the measurement (the barrier)
    long long sent = 0;
    long long expected = 0;   // deliveries owed: each line to every other served client
    long long delivered = 0;  // distinct lines received
    long long lost = 0, duplicated = 0, out_of_order = 0, garbled = 0;
    double setup_seconds = 0;  // to connect everyone and get the first line to all
    double seconds = 0;  // first line sent to last line received
    double lines_per_second = 0;
    double p50_ms = 0, p99_ms = 0;
    double cpu_ns_per_line = 0;  // the server's CPU time while lines were sent, per line delivered
    double client_busy = 0;      // the bench's own CPU time while lines were sent, over that time (1: it was the bottleneck)
    std::string note;  // what went wrong, if anything
};

// progress("connecting 312/1000") is called now and then.
RunResult run_load(const RunSpec& spec, std::uint16_t port, ServerProcess& server,
                   const std::function<void(const std::string&)>& progress);

}  // namespace bench
