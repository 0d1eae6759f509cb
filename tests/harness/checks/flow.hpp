#pragma once
// Flow control, for the chat servers of labs 08 and 09 (the contract's lab
// 08 section): a client that reads is never dropped and loses nothing,
// however many write at once; the server reads its senders no faster than
// its readers take their lines, so its memory stays bounded; a client that
// stops reading holds nobody for longer than the second of grace, and is
// dropped only once past --max-queue.
//
// Each lab's grade.cpp lists these by name, each in a TEST_CASE of its own.
// Clients are named by their address (no /nick): "ADDR says: LINE".

#include <string>
#include <string_view>
#include <vector>

#include "client.hpp"

namespace grader::flow {

// Lines of about 1 KiB, numbered ("line 17 rrrr..."): a few thousand make
// megabytes without making the server handle a million lines.
std::string big_line(int number);

// alice sends `count` big lines, 32 at a time; after each batch the test
// reads `readers` until each has every line so far (in order, whole), with
// the patience of the reply deadline plus the second of grace a client that
// stopped reading may hold the others. bob (an address), who reads nothing,
// is not among them. "* BOB left" is taken at any point when bob_may_leave;
// with stop_once_bob_left, sending stops there. Returns whether bob left.
// Fails with `stalled_hint` if the readers stop getting lines.
bool relay_past_a_stalled_client(Client& alice, std::vector<Client>& readers, int count, const std::string& bob,
                                 bool bob_may_leave, std::string_view stalled_hint, bool stop_once_bob_left = false);


// Every client pastes 2 MB at once, unpaced, while the test reads them all
// as fast as it can (--max-queue 100000): every reader gets every line,
// whole and in order, and nobody is dropped.
void a_paste_storm_reaches_every_reader();

// Every client pastes 5 MB at once while nobody reads for a moment: the
// server must not read all of it (it would have to hold 60 MB of output),
// and its memory must not grow by more than 12 MiB; then everything
// arrives.
void the_server_reads_no_faster_than_its_readers();

// A client that stops reading (a small window, reads nothing) while 6 MB
// go by is not dropped (--max-queue 16000000): once it reads, it gets every
// line, in order, then more.
void a_slow_client_is_kept_until_past_max_queue(std::string_view stalled_hint);

}  // namespace grader::flow
