#include "chat_room.hpp"

#include <algorithm>

namespace {

// 1 to 20 of A-Z a-z 0-9 _ -, compared byte for byte.
bool is_valid_name(std::string_view name) {
    if (name.empty() || name.size() > 20) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

// Control bytes (0x00-0x1F but tab, and 0x7F) would let one user drive
// another's terminal (clear it, move the cursor, ring the bell).
std::string without_control_bytes(std::string_view text) {
    std::string kept;
    kept.reserve(text.size());
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && byte != '\t') || byte == 0x7F) continue;
        kept += c;
    }
    return kept;
}

}  // namespace

void ChatRoom::tell(Member& member, std::string_view line) {
    if (member.overflowed) return;  // being dropped: nothing more for it
    if (member.output.size() + line.size() > max_queue_) {
        // It has stopped reading (or reads far slower than the room talks).
        // Waiting for it would stall everyone; buffering without end would
        // let one client eat the server's memory. It goes.
        member.overflowed = true;
        overflowed_.push_back(member.id);
        return;
    }
    member.output.append(line);
    if (!member.queued) {
        member.queued = true;
        queued_.push_back(member.id);
    }
}

void ChatRoom::tell_others(const Member& sender, std::string_view line) {
    for (Member* member : members_)
        if (member != &sender) tell(*member, line);
}

void ChatRoom::tell_everyone(std::string_view line) {
    for (Member* member : members_) tell(*member, line);
}

void ChatRoom::join(Member& member) {
    // Listed first, so that whoever answers "joined" at once is heard by it.
    members_.push_back(&member);
    member.in_room = true;
    tell_others(member, "* " + member.name + " joined\n");
}

void ChatRoom::leave(Member& member) {
    if (!member.in_room) return;
    member.in_room = false;
    std::erase(members_, &member);
    tell_others(member, "* " + member.name + " left\n");
}

std::string ChatRoom::who() const {
    std::string answer = "* online:";
    for (const Member* member : members_) answer += " " + member->name;
    return answer + "\n";
}

void ChatRoom::rename(Member& member, std::string_view name) {
    if (!is_valid_name(name)) return tell(member, "! invalid name\n");
    const bool taken = std::any_of(members_.begin(), members_.end(),
                                   [&](const Member* other) { return other != &member && other->name == name; });
    if (taken) return tell(member, "! name taken\n");
    const std::string old = member.name;
    member.name = name;
    tell_others(member, "* " + old + " is now " + member.name + "\n");
    tell(member, "* you are now " + member.name + "\n");
}

ChatRoom::Verdict ChatRoom::handle_line(Member& from, std::string_view line) {
    if (line == "/quit") return Verdict::quit;
    if (line == "/who") {
        tell(from, who());
    } else if (line == "/nick") {
        tell(from, "! invalid name\n");
    } else if (line.starts_with("/nick ")) {
        rename(from, line.substr(6));
    } else if (line.starts_with("/")) {
        tell(from, "! unknown command: " + std::string(line) + "\n");
    } else {
        const std::string text = without_control_bytes(line);
        if (!text.empty()) tell_others(from, from.name + " says: " + text + "\n");
    }
    return Verdict::stay;
}

std::vector<std::uint64_t> ChatRoom::take_queued() {
    std::vector<std::uint64_t> taken;
    taken.swap(queued_);
    return taken;
}

std::vector<std::uint64_t> ChatRoom::take_overflowed() {
    std::vector<std::uint64_t> taken;
    taken.swap(overflowed_);
    return taken;
}
