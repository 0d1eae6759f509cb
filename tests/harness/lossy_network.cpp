#include "lossy_network.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <fmt/core.h>

#include "net/udp.hpp"
#include "language.hpp"
#include "transcript.hpp"

namespace grader {

namespace {

// splitmix64: a good 64-bit mix, so that nearby inputs give unrelated outputs.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t hash_text(std::string_view text) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return h;
}

// A number in [0, 1) that depends only on these.
double chance(std::uint64_t seed, const Passage& passage, int what) {
    std::uint64_t h = mix(seed);
    h = mix(h ^ static_cast<std::uint64_t>(passage.way == Way::forward ? 1 : 2));
    h = mix(h ^ hash_text(passage.info.kind));
    h = mix(h ^ passage.info.number);
    h = mix(h ^ static_cast<std::uint64_t>(passage.occurrence));
    h = mix(h ^ static_cast<std::uint64_t>(what));
    return static_cast<double>(h >> 11) / static_cast<double>(1ULL << 53);
}

std::string percent(double chance) {
    return fmt::format("{:g} %", chance * 100);
}

std::string milliseconds_text(std::chrono::microseconds time) {
    return fmt::format("{:g} ms", static_cast<double>(time.count()) / 1000.0);
}

// A piece of a line this file puts together from parts (a datagram's fate,
// a count's notes) in the report's language: the catalog (reports.es.txt)
// has each piece, since the whole line has too many forms to list.
std::string localized_piece(const std::string& english) { return localized_text(english); }

std::string ordinal(int n) {
    if (n % 100 >= 11 && n % 100 <= 13) return std::to_string(n) + "th";
    switch (n % 10) {
        case 1: return std::to_string(n) + "st";
        case 2: return std::to_string(n) + "nd";
        case 3: return std::to_string(n) + "rd";
        default: return std::to_string(n) + "th";
    }
}

net::Socket nonblocking(net::Socket socket) {
    ::fcntl(socket.fd(), F_SETFL, ::fcntl(socket.fd(), F_GETFL) | O_NONBLOCK);
    return socket;
}

}  // namespace

std::string Impairments::describe() const {
    std::vector<std::string> parts;
    if (loss > 0) parts.push_back("loses " + percent(loss));
    if (repeat > 0) parts.push_back("repeats " + percent(repeat));
    if (reorder > 0) parts.push_back("holds back " + percent(reorder) + " up to " + milliseconds_text(reorder_by) + " longer (reordering)");
    if (corrupt > 0) parts.push_back("corrupts " + percent(corrupt));
    std::string text;
    for (std::size_t i = 0; i < parts.size(); ++i) text += (i == 0 ? "" : ", ") + parts[i];
    if (!parts.empty()) text += " of the datagrams each way";
    if (delay.count() > 0) text += (parts.empty() ? "" : ", and ") + std::string("delays every datagram ") + milliseconds_text(delay) + " each way";
    if (parts.empty()) text += std::string(text.empty() ? "is clean" : "; otherwise it is clean") + ": nothing lost, repeated, reordered or corrupted";
    return text;
}

LossyNetwork::LossyNetwork(Describe describe, std::uint64_t seed, std::optional<net::Address> receiver,
                           std::string sender_name, std::string receiver_name, const std::string& sender_host)
    : describe_(std::move(describe)),
      seed_(seed),
      sender_side_(nonblocking(net::bind_udp(sender_host, 0))),
      wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      receiver_(std::move(receiver)),
      sender_name_(std::move(sender_name)),
      receiver_name_(std::move(receiver_name)) {
    if (receiver_) {
        // Bound now, so that the receiver sees one address for the sender
        // from the first datagram on.
        const std::string any = receiver_->get()->sa_family == AF_INET6 ? "::1" : "127.0.0.1";
        receiver_side_ = nonblocking(net::bind_udp(any, 0));
    }
    // Big buffers: a burst of 1,024 datagrams of 1,209 bytes must not be
    // dropped by the kernel before the network has chosen their fate.
    // And the kernel's time of arrival on each (SO_TIMESTAMPNS): a datagram
    // came when its program sent it, not when this thread, on a busy machine,
    // got a CPU to read it.
    const int size = 4 << 20, on = 1;
    for (const net::Socket* socket : {&sender_side_, &receiver_side_})
        if (socket->is_open()) {
            ::setsockopt(socket->fd(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
            ::setsockopt(socket->fd(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
            ::setsockopt(socket->fd(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
        }
    transcript().add("grader", "starts its network at " + sender_side() + (receiver_ ? ", on to " + receiver_->to_string() : ""));
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

LossyNetwork::~LossyNetwork() {
    thread_.request_stop();
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wake_.fd(), &one, sizeof one);
    thread_.join();
}

std::string LossyNetwork::sender_side() const { return net::local_address(sender_side_).to_string(); }

void LossyNetwork::set_impairments(const Impairments& impairments) {
    std::lock_guard lock(mutex_);
    impairments_ = impairments;
}

void LossyNetwork::set_rule(Rule rule) {
    std::lock_guard lock(mutex_);
    rule_ = std::move(rule);
}

void LossyNetwork::set_observer(Observer observer) {
    std::lock_guard lock(mutex_);
    observer_ = std::move(observer);
}

void LossyNetwork::set_transcript_limit(std::size_t count) {
    std::lock_guard lock(mutex_);
    transcript_limit_ = count;
}

std::size_t LossyNetwork::passages() const {
    std::lock_guard lock(mutex_);
    return timeline_.size();
}

Passage LossyNetwork::passage(std::size_t index) const {
    std::lock_guard lock(mutex_);
    return timeline_.at(index);
}

std::vector<Passage> LossyNetwork::timeline() const {
    std::lock_guard lock(mutex_);
    return timeline_;
}

double LossyNetwork::now() const { return seconds(Clock::now()); }

bool LossyNetwork::wait_until(const std::function<bool()>& done, Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline, done);
}

double LossyNetwork::seconds(Clock::time_point time) const {
    return std::chrono::duration<double>(time - start_).count();
}

void LossyNetwork::run(std::stop_token stop) {
    {
        std::lock_guard lock(mutex_);
        thread_id_ = ::gettid();
        changed_.notify_all();
    }
    while (!stop.stop_requested()) {
        timespec wait{};
        const timespec* timeout = nullptr;  // none: until a datagram comes
        {
            std::lock_guard lock(mutex_);
            if (!deliveries_.empty()) {
                const auto left = std::max(Clock::duration::zero(), deliveries_.top().due - Clock::now());
                const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
                wait.tv_sec = static_cast<time_t>(nanoseconds / 1'000'000'000);
                wait.tv_nsec = static_cast<long>(nanoseconds % 1'000'000'000);
                timeout = &wait;
            }
        }
        pollfd fds[3] = {{sender_side_.fd(), POLLIN, 0}, {receiver_side_.is_open() ? receiver_side_.fd() : -1, POLLIN, 0},
                         {wake_.fd(), POLLIN, 0}};
        if (::ppoll(fds, 3, timeout, nullptr) < 0 && errno != EINTR) return;
        if (fds[2].revents & POLLIN) {
            std::uint64_t count = 0;
            [[maybe_unused]] const auto n = ::read(wake_.fd(), &count, sizeof count);
        }
        if (fds[0].revents & POLLIN) receive_all(Way::forward);
        if (fds[1].revents & POLLIN) receive_all(Way::backward);
        deliver_due();
    }
}

void LossyNetwork::receive_all(Way way) {
    const net::Socket& socket = way == Way::forward ? sender_side_ : receiver_side_;
    char buffer[65536];
    while (true) {
        sockaddr_storage from_storage{};
        iovec data{buffer, sizeof buffer};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
        msghdr message{};
        message.msg_name = &from_storage;
        message.msg_namelen = sizeof from_storage;
        message.msg_iov = &data;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(socket.fd(), &message, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == ECONNREFUSED) continue;
            return;  // EAGAIN: all taken
        }
        // When the kernel received it: its age, on the system's clock, taken
        // from now on ours (never in the future; now without a timestamp).
        Clock::time_point when = Clock::now();
        for (cmsghdr* header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header))
            if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_TIMESTAMPNS) {
                timespec stamp{}, system_now{};
                std::memcpy(&stamp, CMSG_DATA(header), sizeof stamp);
                ::clock_gettime(CLOCK_REALTIME, &system_now);
                const auto age = std::chrono::seconds(system_now.tv_sec - stamp.tv_sec) +
                                 std::chrono::nanoseconds(system_now.tv_nsec - stamp.tv_nsec);
                if (age > Clock::duration::zero() && age < std::chrono::seconds(60))
                    when -= std::chrono::duration_cast<Clock::duration>(age);
            }
        const net::Address from(reinterpret_cast<sockaddr*>(&from_storage), message.msg_namelen);
        std::lock_guard lock(mutex_);
        if (way == Way::forward && !sender_) sender_ = from;  // the first to send is the sender
        const std::optional<net::Address>& expected = way == Way::forward ? sender_ : receiver_;
        if (!expected || expected->to_string() != from.to_string()) {
            ++strangers_;  // neither end: not forwarded
            continue;
        }
        arrived(way, std::string(buffer, static_cast<std::size_t>(n)), when);
    }
}

void LossyNetwork::arrived(Way way, std::string bytes, Clock::time_point now) {
    // A program that floods the network would fill the grader's memory with
    // its timeline: past this many datagrams (a 10 MiB transfer is about
    // 20,000), the rest are dropped, and only counted.
    constexpr std::size_t most_recorded = 500'000;
    if (timeline_.size() >= most_recorded) {
        ++overflow_;
        return;
    }
    Passage passage;
    passage.index = timeline_.size();
    passage.at = seconds(now);
    passage.way = way;
    passage.info = describe_(bytes);
    passage.size = bytes.size();
    passage.occurrence = seen_[{way == Way::forward ? 0 : 1, passage.info.kind, passage.info.number}]++;
    passage.fate = choose(passage);
    if (passage.fate.instead) passage.arrives_as = describe_(*passage.fate.instead).text;
    if (way == Way::forward && !receiver_) {
        passage.fate = Fate{};
        passage.fate.drop = true;
        passage.fate.because = "nobody is listening there";
    }
    timeline_.push_back(passage);
    add_to_transcript(passage);
    if (observer_) observer_(passage, false);
    if (!passage.fate.drop) {
        std::string first = passage.fate.instead.value_or(bytes);
        if (passage.fate.corrupt_at && *passage.fate.corrupt_at < first.size()) {
            // One byte changed (some of its bits flipped): the Internet
            // checksum notices any change of a single byte.
            const auto flip = static_cast<unsigned char>(1 + mix(seed_ ^ passage.index) % 255);
            first[*passage.fate.corrupt_at] = static_cast<char>(static_cast<unsigned char>(first[*passage.fate.corrupt_at]) ^ flip);
        }
        deliveries_.push(Delivery{now + passage.fate.delay, next_order_++, way, std::move(first), passage.index});
        if (passage.fate.copies > 1)
            deliveries_.push(Delivery{now + passage.fate.second_delay, next_order_++, way, std::move(bytes), passage.index});
    }
    changed_.notify_all();
}

Fate LossyNetwork::choose(const Passage& passage) const {
    if (rule_)
        if (std::optional<Fate> fate = rule_(passage)) return *fate;
    const Impairments& bad = impairments_;
    Fate fate;
    fate.drop = chance(seed_, passage, 1) < bad.loss;
    fate.copies = chance(seed_, passage, 2) < bad.repeat ? 2 : 1;
    fate.delay = bad.delay;
    fate.held_back = chance(seed_, passage, 3) < bad.reorder;
    if (fate.held_back)
        fate.delay += std::chrono::duration_cast<std::chrono::microseconds>(bad.reorder_by * (0.3 + 0.7 * chance(seed_, passage, 4)));
    fate.second_delay = bad.delay + std::chrono::duration_cast<std::chrono::microseconds>(bad.reorder_by * chance(seed_, passage, 5));
    if (chance(seed_, passage, 6) < bad.corrupt && passage.size > 0)
        fate.corrupt_at = static_cast<std::size_t>(chance(seed_, passage, 7) * static_cast<double>(passage.size));
    return fate;
}

void LossyNetwork::deliver_due() {
    std::lock_guard lock(mutex_);
    const Clock::time_point now = Clock::now();
    while (!deliveries_.empty() && deliveries_.top().due <= now) {
        const Delivery& delivery = deliveries_.top();
        if (delivery.way == Way::forward && receiver_)
            net::send_to(receiver_side_, *receiver_, delivery.bytes);
        else if (delivery.way == Way::backward && sender_)
            net::send_to(sender_side_, *sender_, delivery.bytes);
        Passage& passage = timeline_[delivery.passage];
        passage.arrived.push_back(seconds(Clock::now()));
        if (observer_) observer_(passage, true);
        deliveries_.pop();
    }
    changed_.notify_all();
}

void LossyNetwork::inject(Way way, std::string bytes, std::chrono::microseconds after, std::string because) {
    {
        std::lock_guard lock(mutex_);
        const Clock::time_point now = Clock::now();
        Passage passage;
        passage.index = timeline_.size();
        passage.at = seconds(now);
        passage.way = way;
        passage.info = describe_(bytes);
        passage.size = bytes.size();
        passage.occurrence = seen_[{way == Way::forward ? 0 : 1, passage.info.kind, passage.info.number}]++;
        passage.fate.delay = after;
        passage.fate.because = std::move(because);
        passage.injected = true;
        timeline_.push_back(passage);
        add_to_transcript(passage);
        if (observer_) observer_(passage, false);
        deliveries_.push(Delivery{now + after, next_order_++, way, std::move(bytes), passage.index});
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wake_.fd(), &one, sizeof one);
}

std::string LossyNetwork::describe(const Passage& passage) {
    std::string text = localized_piece(passage.info.text);  // an invalid datagram says why
    if (passage.occurrence > 0) text += " " + localized_piece(fmt::format("({} time)", ordinal(passage.occurrence + 1)));
    const std::string because = passage.fate.because.empty() ? "" : " (" + localized_piece(passage.fate.because) + ")";
    if (passage.injected) {
        text += ": " + localized_piece("a copy the network sends again, " +
                                       milliseconds_text(std::chrono::duration_cast<std::chrono::microseconds>(passage.fate.delay)) +
                                       " later");
        text += because;
    } else if (passage.fate.drop) {
        text += ": " + localized_piece("DROPPED");
        text += because;
    } else {
        std::vector<std::string> what;
        if (passage.fate.copies > 1) what.push_back("REPEATED");
        if (passage.fate.held_back) what.push_back("HELD BACK (later ones overtake it)");
        if (passage.fate.instead) what.push_back("CORRUPTED: arrives as " + passage.arrives_as);
        if (passage.fate.corrupt_at) what.push_back(fmt::format("CORRUPTED (byte {} changed; it must be ignored)", *passage.fate.corrupt_at));
        for (const std::string& note : what) text += ": " + localized_piece(note);
        text += because;
    }
    if (!passage.arrived.empty()) {
        std::string arrival = "arrives at ";
        for (std::size_t i = 0; i < passage.arrived.size(); ++i)
            arrival += fmt::format("{}{:.3f} s", i == 0 ? "" : " and ", passage.arrived[i]);
        text += ", " + localized_piece(arrival);
    } else if (!passage.fate.drop) {
        text += ", " + localized_piece("on its way");
    }
    return text;
}

void LossyNetwork::add_to_transcript(const Passage& passage) {
    if (passage.index < transcript_limit_) {
        const std::string& who = passage.way == Way::forward ? sender_name_ : receiver_name_;
        std::string text = "sends " + localized_piece(passage.info.text);
        if (passage.occurrence > 0) text += " " + localized_piece(fmt::format("({} time)", ordinal(passage.occurrence + 1)));
        if (passage.injected) text = "(the network) sends again " + localized_piece(passage.info.text);
        if (passage.fate.drop) text += ": " + localized_piece("the network DROPS it");
        if (passage.fate.copies > 1) text += ": " + localized_piece("the network REPEATS it");
        if (passage.fate.corrupt_at) text += ": " + localized_piece(fmt::format("the network CORRUPTS it (byte {})", *passage.fate.corrupt_at));
        if (!passage.fate.because.empty()) text += " (" + localized_piece(passage.fate.because) + ")";
        transcript().add(passage.injected ? "grader" : who, text);
    } else if (passage.index == transcript_limit_) {
        transcript().add("grader", "(more datagrams follow: the network's timeline, in the report below, has them)");
    }
}

std::string LossyNetwork::report(std::optional<std::size_t> focus, std::size_t last) const {
    std::lock_guard lock(mutex_);
    std::string text = fmt::format("\nthe network (its seed {}):\n", seed_);
    text += "  it " + impairments_.describe() + (rule_ ? "; the test's own rule does the rest (marked below)" : "") + "\n";
    // Counts, each way and kind.
    struct Counts {
        std::size_t sent = 0, again = 0, dropped = 0, repeated = 0, corrupted = 0, injected = 0;
    };
    for (const Way way : {Way::forward, Way::backward}) {
        std::map<std::string, Counts> kinds;
        for (const Passage& passage : timeline_) {
            if (passage.way != way) continue;
            Counts& counts = kinds[passage.info.kind];
            if (passage.injected) {
                ++counts.injected;
                continue;
            }
            ++counts.sent;
            if (passage.occurrence > 0) ++counts.again;
            if (passage.fate.drop) ++counts.dropped;
            if (!passage.fate.drop && passage.fate.copies > 1) ++counts.repeated;
            if (!passage.fate.drop && passage.fate.corrupt_at) ++counts.corrupted;
        }
        text += "  " + (way == Way::forward ? sender_name_ : receiver_name_) + " sent:";
        if (kinds.empty()) text += " nothing";
        for (const auto& [kind, counts] : kinds) {
            text += " " + localized_piece(fmt::format("{} {}", counts.sent, kind));  // "invalid" is a word
            std::vector<std::string> notes;
            if (counts.again > 0) notes.push_back(fmt::format("{} of them again", counts.again));
            if (counts.dropped > 0) notes.push_back(fmt::format("{} dropped", counts.dropped));
            if (counts.repeated > 0) notes.push_back(fmt::format("{} repeated", counts.repeated));
            if (counts.corrupted > 0) notes.push_back(fmt::format("{} corrupted", counts.corrupted));
            if (counts.injected > 0) notes.push_back(fmt::format("and {} copies the network sent again", counts.injected));
            if (!notes.empty()) {
                text += " (";
                for (std::size_t i = 0; i < notes.size(); ++i) text += (i == 0 ? "" : ", ") + localized_piece(notes[i]);
                text += ")";
            }
            text += ";";
        }
        text += "\n";
    }
    if (strangers_ > 0) text += fmt::format("  datagrams from other addresses, not forwarded: {}\n", strangers_);
    if (overflow_ > 0)
        text += fmt::format("  datagrams dropped once {} had been sent (a flood: the network keeps no more): {}\n",
                            timeline_.size(), overflow_);

    auto line = [&](const Passage& passage) {
        const std::string& who = passage.injected ? std::string("the network") : passage.way == Way::forward ? sender_name_ : receiver_name_;
        return fmt::format("    {:8.3f} s  {} -> {}\n", passage.at, who, describe(passage));
    };
    const std::size_t shown_from = timeline_.size() > last ? timeline_.size() - last : 0;
    // Without a passage to look at, the first one the test's own rule acted on.
    if (!focus)
        for (const Passage& passage : timeline_)
            if (!passage.fate.because.empty()) {
                focus = passage.index;
                break;
            }
    if (focus && *focus < timeline_.size() && *focus + 5 < shown_from) {
        text += fmt::format("  around datagram {} of {}:\n", *focus + 1, timeline_.size());
        const std::size_t from = *focus > 10 ? *focus - 10 : 0;
        const std::size_t to = std::min(*focus + 15, shown_from);
        for (std::size_t i = from; i < to; ++i) text += line(timeline_[i]);
    }
    if (timeline_.empty()) {
        text += "  no datagram went through it\n";
    } else {
        text += shown_from == 0 ? fmt::format("  every datagram, in order ({} times since the network started):\n", "seconds")
                                : fmt::format("  the last {} of {} datagrams (seconds since the network started):\n",
                                              timeline_.size() - shown_from, timeline_.size());
        for (std::size_t i = shown_from; i < timeline_.size(); ++i) text += line(timeline_[i]);
    }
    return text;
}

pid_t LossyNetwork::thread_id() const {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return thread_id_ != 0; });
    return thread_id_;
}

}  // namespace grader
