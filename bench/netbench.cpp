// netbench: the project's load generator. Starts each chat server in turn,
// connects N clients to it on loopback, has them send lines, and prints one
// table (and writes it, with a chart, to --out). `./lab bench` runs it
// against the reference servers and `ncat --broker`; see README.md here.
//
//   netbench [--out DIR] [--budget SECONDS] [--deliveries N]
//            [--latency-clients N] [--latency-rate LINES_PER_S] [--latency-seconds S]
//            [--repeat N] [--lines-per-write N] [--in-flight N]
//            [--loads windowed,storm,paced] [--storm 10x2000,100x200,500x40|none] [--profile DIR]
//            (--name NAME [--clients 10,100,...] [--raw] [--no-storm] [--connect-window N] [--open-files N]
//             --cmd "COMMAND {port}")...
//
// Three loads (README.md here): windowed (throughput: the server sets the
// pace), a paste storm (every client sends everything at once: flow
// control), paced (latency). --profile DIR records each run's server with
// `perf record -g` (DIR/NAME-LOAD-CLIENTS-RUN.data).
//
// Every run is bounded: in clients, in lines (about --deliveries lines
// delivered per run), and in time (each phase has a deadline, and the whole
// bench stops starting runs once --budget seconds have passed).

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "chart.hpp"
#include "load.hpp"
#include "server_process.hpp"

namespace {

struct Server {
    std::string name;
    std::string command;  // with {port}
    std::vector<int> clients{10, 100, 500, 1000};
    bool join_notices = true;
    bool storm = true;  // --no-storm: not in the paste storm runs
    int connect_window = 100;
    rlim_t open_files = 20000;
};

// The three loads (README.md here says why each).
enum class Load {
    windowed,  // every sender keeps at most --in-flight lines undelivered: the server sets the pace
    storm,     // a paste storm: every client sends all its lines at once, no window
    paced,     // the latency run: each client sends at a fixed rate
};

struct Run {
    const Server* server;
    int clients;
    Load load;
    bench::RunSpec spec;
    bench::RunResult result;
    bool skipped = false;
    bool shown = true;  // false: a repetition that is not the median one
    double peak_rss_mib = 0;
    long threads = 0;
    double cpu_seconds = 0;
    std::string spread = {};  // of the shown run: every repetition's delivered/s, lowest to highest
};

struct Settings {
    std::string out_dir = "bench/results";
    double budget_seconds = 480;
    long long deliveries = 1000000;
    int latency_clients = 100;
    double latency_rate = 10;
    int repeat = 3;           // throughput runs up to 1,000 clients: the median of this many
    int lines_per_write = 8;  // unpaced runs: see bench::RunSpec
    int max_in_flight = 64;
    double latency_seconds = 3;
    std::vector<std::pair<int, int>> storms{{10, 2000}, {100, 200}, {500, 40}};  // clients x lines each
    bool windowed = true, storm = true, paced = true;  // which loads to run (--loads)
    std::string profile_dir;  // --profile: perf record each run's server into this folder
    std::vector<Server> servers;
};

[[noreturn]] void usage(const std::string& problem) {
    std::cerr << "netbench: " << problem << "\n"
              << "usage: netbench [--out DIR] [--budget SECONDS] [--deliveries N] [--latency-clients N]\n"
                 "                [--latency-rate LINES_PER_S] [--latency-seconds S] [--repeat N] [--lines-per-write N] [--in-flight N]\n"
                 "                [--loads windowed,storm,paced] [--storm 10x2000,100x200,500x40|none] [--profile DIR]\n"
                 "                (--name NAME [--clients 10,100,500] [--raw] [--no-storm] [--connect-window N] [--open-files N]\n"
                 "                 --cmd \"COMMAND {port}\")...\n";
    std::exit(2);
}

std::vector<int> parse_list(const std::string& text) {
    std::vector<int> values;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        const int value = std::atoi(item.c_str());
        if (value < 2 || value > 20000) usage("client counts go from 2 to 20000: " + text);
        values.push_back(value);
    }
    return values;
}

// "10x2000,100x200" (clients x lines each), or "none".
std::vector<std::pair<int, int>> parse_storms(const std::string& text) {
    std::vector<std::pair<int, int>> storms;
    if (text == "none") return storms;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        const std::size_t x = item.find('x');
        const int clients = std::atoi(item.substr(0, x).c_str());
        const int lines = x == std::string::npos ? 0 : std::atoi(item.substr(x + 1).c_str());
        if (clients < 2 || clients > 1000 || lines < 1 || lines > 100000)
            usage("--storm takes CLIENTSxLINES,... (2 to 1,000 clients, 1 to 100,000 lines each), or none: " + text);
        storms.emplace_back(clients, lines);
    }
    return storms;
}

Settings parse(int argc, char** argv) {
    Settings settings;
    Server next;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(flag + " needs a value");
            return argv[++i];
        };
        if (flag == "--out") settings.out_dir = value();
        else if (flag == "--budget") settings.budget_seconds = std::atof(value().c_str());
        else if (flag == "--deliveries") settings.deliveries = std::atoll(value().c_str());
        else if (flag == "--latency-clients") settings.latency_clients = std::atoi(value().c_str());
        else if (flag == "--latency-rate") settings.latency_rate = std::atof(value().c_str());
        else if (flag == "--latency-seconds") settings.latency_seconds = std::atof(value().c_str());
        else if (flag == "--repeat") settings.repeat = std::clamp(std::atoi(value().c_str()), 1, 9);
        else if (flag == "--lines-per-write") settings.lines_per_write = std::max(1, std::atoi(value().c_str()));
        else if (flag == "--in-flight") settings.max_in_flight = std::max(1, std::atoi(value().c_str()));
        else if (flag == "--storm") settings.storms = parse_storms(value());
        else if (flag == "--profile") settings.profile_dir = value();
        else if (flag == "--loads") {
            const std::string loads = "," + value() + ",";
            settings.windowed = loads.find(",windowed,") != std::string::npos;
            settings.storm = loads.find(",storm,") != std::string::npos;
            settings.paced = loads.find(",paced,") != std::string::npos;
            if (!settings.windowed && !settings.storm && !settings.paced) usage("--loads takes windowed,storm,paced");
        }
        else if (flag == "--name") next.name = value();
        else if (flag == "--clients") next.clients = parse_list(value());
        else if (flag == "--raw") {
            next.join_notices = false;
            next.connect_window = 8;
        } else if (flag == "--no-storm") next.storm = false;
        else if (flag == "--connect-window") next.connect_window = std::max(1, std::atoi(value().c_str()));
        else if (flag == "--open-files") next.open_files = static_cast<rlim_t>(std::atol(value().c_str()));
        else if (flag == "--cmd") {
            next.command = value();
            if (next.command.find("{port}") == std::string::npos) usage("--cmd needs {port} in it: " + next.command);
            if (next.name.empty()) next.name = next.command.substr(0, next.command.find(' '));
            settings.servers.push_back(next);
            next = Server{};
        } else usage("unknown argument " + flag);
    }
    if (settings.servers.empty()) usage("no server to measure (--cmd)");
    if (settings.deliveries < 1000 || settings.budget_seconds < 10 || settings.latency_rate <= 0 ||
        settings.latency_seconds <= 0 || settings.latency_clients < 2)
        usage("a setting is out of range");
    return settings;
}

// About `deliveries` lines delivered per run, whatever the number of
// clients: each line sent reaches clients - 1 others.
bench::RunSpec throughput_spec(int clients, const Settings& settings) {
    // Past 1,000 clients the point is holding them all and reaching every
    // one: about 300,000 deliveries (at 10,000 clients, 31 lines, each to
    // everyone) say it, and more would measure how much the server can
    // queue at once rather than how little it needs per client.
    const long long deliveries = clients > 1000 ? std::min(settings.deliveries, 300'000LL) : settings.deliveries;
    bench::RunSpec spec;
    spec.clients = clients;
    spec.lines_per_write = settings.lines_per_write;
    spec.max_in_flight = settings.max_in_flight;
    const long long others = clients - 1;
    spec.lines_per_sender = static_cast<int>(std::clamp<long long>(deliveries / (clients * others), 1, 5000));
    spec.senders = static_cast<int>(std::min<long long>(clients, (deliveries + spec.lines_per_sender * others - 1) /
                                                                  (spec.lines_per_sender * others)));
    spec.connect_seconds = clients > 1000 ? 45 : 15;
    spec.deliver_seconds = clients > 1000 ? 30 : 15;
    return spec;
}

std::string with_commas(long long value) {
    std::string digits = std::to_string(value < 0 ? -value : value), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return value < 0 ? "-" + out : out;
}

std::string fixed(double value, int decimals) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::vector<std::string> row_of(const Run& run) {
    const bench::RunResult& r = run.result;
    std::string clients = with_commas(run.clients);
    if (run.load == Load::paced) clients += " @ " + fixed(run.spec.lines_per_second, 0) + "/s";
    if (run.load == Load::storm) clients += " x " + with_commas(run.spec.lines_per_sender);
    const std::string load = run.load == Load::windowed ? "windowed" : run.load == Load::storm ? "paste storm" : "paced";
    if (run.skipped) return {load, run.server->name, clients, "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "skipped: " + r.note};
    return {load,
            run.server->name,
            clients,
            with_commas(r.sent),
            fixed(r.setup_seconds, 1),
            with_commas(std::llround(r.lines_per_second)),
            run.spread,
            r.delivered ? fixed(r.p50_ms, 2) : "-",
            r.delivered ? fixed(r.p99_ms, 2) : "-",
            with_commas(r.lost),
            with_commas(r.duplicated),
            with_commas(r.out_of_order),
            with_commas(r.garbled),
            fixed(run.peak_rss_mib, 1),
            std::to_string(run.threads),
            fixed(run.cpu_seconds, 1),
            r.delivered ? with_commas(std::llround(r.cpu_ns_per_line)) : "-",
            r.delivered ? std::to_string(std::lround(100 * r.client_busy)) : "-",
            r.note};
}

const std::vector<std::string> header{"load", "server", "clients", "lines sent", "setup s", "delivered/s", "every run, M/s", "p50 ms", "p99 ms",
                                      "lost", "dup", "order", "garbled", "RSS MiB", "threads", "CPU s", "CPU ns/line", "bench CPU %", "note"};

// The line above the table: what each load is, and why it is there.
std::string loads_line(const Settings& settings) {
    return "Loads: *windowed*: every sender keeps at most " + std::to_string(settings.max_in_flight) +
           " lines not yet delivered to everyone, " + std::to_string(settings.lines_per_write) +
           " per send(): the server sets the pace (its throughput); *paste storm*: every client sends all its "
           "lines at once, 16 per send(), no window: a busy room, where flow control must keep every reader and "
           "lose nothing; *paced*: " + fixed(settings.latency_rate, 0) + " lines a second per client, at random "
           "moments: people typing (the latency they see). delivered/s counts lines delivered to clients; each "
           "throughput cell is the median of " + std::to_string(settings.repeat) + " runs.";
}

// A Markdown table whose columns also line up as plain text.
std::string table(const std::vector<const Run*>& runs) {
    std::vector<std::vector<std::string>> rows{header};
    for (const Run* run : runs) rows.push_back(row_of(*run));
    std::vector<std::size_t> widths(header.size(), 0);
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    std::string out;
    auto line = [&](const std::vector<std::string>& row) {
        out += "|";
        for (std::size_t c = 0; c < row.size(); ++c) {
            const bool left = c <= 2 || c + 1 == row.size();
            const std::string pad(widths[c] - row[c].size(), ' ');
            out += " " + (left ? row[c] + pad : pad + row[c]) + " |";
        }
        out += "\n";
    };
    line(rows[0]);
    out += "|";
    for (std::size_t c = 0; c < header.size(); ++c) {
        const bool left = c <= 2 || c + 1 == header.size();
        out += left ? " " + std::string(widths[c], '-') + " |" : " " + std::string(widths[c] - 1, '-') + ": |";
    }
    out += "\n";
    for (std::size_t r = 1; r < rows.size(); ++r) line(rows[r]);
    return out;
}

std::string machine_description() {
    utsname name{};
    ::uname(&name);
    double load[3] = {0, 0, 0};
    ::getloadavg(load, 3);
    const std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    return std::string(date) + ", Linux " + name.release + ", " + std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)) +
           " cores, load average " + fixed(load[0], 1) + " at the start";
}

void raise_own_open_file_limit() {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;  // 10,000 clients need 10,000 descriptors here too
    ::setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

// Of the repetitions of one server at one size, shows only the median one
// (by delivered lines per second; a run that lost or garbled lines, or was
// skipped, counts as the slowest). Returns them in the plan's order: at
// each size, the servers in the order they were given.
std::vector<const Run*> show_only_medians(std::vector<Run>& runs) {
    std::vector<std::vector<Run*>> cells;
    for (Run& run : runs) {
        auto same = std::find_if(cells.begin(), cells.end(), [&](const std::vector<Run*>& cell) {
            return cell.front()->server == run.server && cell.front()->clients == run.clients && cell.front()->load == run.load;
        });
        if (same == cells.end()) cells.push_back({&run});
        else same->push_back(&run);
    }
    for (std::vector<Run*>& cell : cells) {
        auto speed = [](const Run* run) {
            const bench::RunResult& r = run->result;
            const bool faulty = run->skipped || r.lost + r.duplicated + r.out_of_order + r.garbled > 0 || !r.note.empty();
            return faulty ? -1.0 : r.lines_per_second;
        };
        std::stable_sort(cell.begin(), cell.end(), [&](const Run* a, const Run* b) { return speed(a) < speed(b); });
        std::string spread;
        for (Run* run : cell) {
            run->shown = false;
            if (cell.size() > 1) spread += (spread.empty() ? "" : " ") + (speed(run) < 0 ? "x" : fixed(run->result.lines_per_second / 1e6, 2));
        }
        Run* median = cell[(cell.size() - 1) / 2];  // of an even number, the slower middle one
        median->shown = true;
        median->spread = spread;
    }
    std::vector<const Run*> shown;
    for (const std::vector<Run*>& cell : cells)
        for (const Run* run : cell)
            if (run->shown) shown.push_back(run);
    return shown;
}

int main(int argc, char** argv) {
    const Settings settings = parse(argc, argv);
    raise_own_open_file_limit();
    const auto start = std::chrono::steady_clock::now();
    const std::string machine = machine_description();

    // Side by side: every server at 10 clients, then every server at 100, ...
    // so that each comparison is made under the same load of the machine.
    // The latency runs come after the small sizes, the biggest runs last.
    std::vector<Run> runs;
    std::vector<int> counts;
    for (const Server& server : settings.servers)
        for (int clients : server.clients) counts.push_back(clients);
    std::sort(counts.begin(), counts.end());
    counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
    // A run of a second or less varies from one to the next by tens of
    // per cent on a shared machine: each throughput cell is run --repeat
    // times, the servers taking turns, and the median run is shown.
    for (int clients : counts) {
        if (clients > 1000 || !settings.windowed) continue;
        for (int round = 0; round < settings.repeat; ++round)
            for (const Server& server : settings.servers)
                if (std::count(server.clients.begin(), server.clients.end(), clients))
                    runs.push_back({&server, clients, Load::windowed, throughput_spec(clients, settings), {}, false, true, 0, 0, 0});
    }
    // The paste storm: every client sends all its lines at once.
    for (const auto& [clients, lines] : settings.storm ? settings.storms : std::vector<std::pair<int, int>>{}) {
        bench::RunSpec spec;
        spec.clients = spec.senders = clients;
        spec.lines_per_sender = lines;
        spec.storm = true;
        spec.lines_per_write = 16;
        spec.connect_seconds = 15;
        spec.deliver_seconds = 20;
        for (int round = 0; round < settings.repeat; ++round)
            for (const Server& server : settings.servers)
                if (server.storm) runs.push_back({&server, clients, Load::storm, spec, {}, false, true, 0, 0, 0});
    }
    for (const Server& server : settings.servers) {
        if (!settings.paced) break;
        bench::RunSpec spec;
        spec.clients = spec.senders = settings.latency_clients;
        spec.lines_per_second = settings.latency_rate;
        spec.lines_per_sender = std::max(1, static_cast<int>(settings.latency_rate * settings.latency_seconds));
        spec.connect_seconds = 15;
        spec.deliver_seconds = settings.latency_seconds + 10;
        runs.push_back({&server, settings.latency_clients, Load::paced, spec, {}, false, true, 0, 0, 0});
    }
    for (int clients : counts) {
        if (clients <= 1000 || !settings.windowed) continue;
        for (const Server& server : settings.servers)
            if (std::count(server.clients.begin(), server.clients.end(), clients))
                runs.push_back({&server, clients, Load::windowed, throughput_spec(clients, settings), {}, false, true, 0, 0, 0});
    }

    const bool tty = ::isatty(2);
    for (std::size_t i = 0; i < runs.size(); ++i) {
        Run& run = runs[i];
        run.spec.join_notices = run.server->join_notices;
        run.spec.connect_window = run.server->connect_window;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double left = settings.budget_seconds - elapsed;
        if (left < 10) {
            run.skipped = true;
            run.result.note = "time budget used up";
            continue;
        }
        // Shrink the deadlines to what is left of the budget.
        const double wanted = run.spec.connect_seconds + run.spec.deliver_seconds;
        if (wanted > left - 5) {
            const double scale = (left - 5) / wanted;
            run.spec.connect_seconds *= scale;
            run.spec.deliver_seconds *= scale;
        }
        const std::string label = "[" + std::to_string(i + 1) + "/" + std::to_string(runs.size()) + "] " + run.server->name +
                                  ", " + std::to_string(run.clients) + " clients" +
                                  (run.load == Load::paced ? " (paced)" : run.load == Load::storm ? " (paste storm)" : "");
        auto progress = [&](const std::string& what) {
            if (tty) std::cerr << "\r\033[K" << label << ": " << what << std::flush;
        };
        progress("starting the server");
        try {
            const std::uint16_t port = bench::pick_free_port();
            bench::ServerProcess server(run.server->command, port, run.server->open_files);
            if (!server.wait_listening(10)) {
                run.result.note = "the server did not listen within 10 s" +
                                  (server.ended() ? " (it " + *server.ended() + ")" : std::string());
            } else {
                std::optional<bench::Profiler> profiler;
                if (!settings.profile_dir.empty()) {
                    std::filesystem::create_directories(settings.profile_dir);
                    std::string name = run.server->name + "-" + (run.load == Load::windowed ? "windowed" : run.load == Load::storm ? "storm" : "paced") +
                                       "-" + std::to_string(run.clients) + "-" + std::to_string(i + 1) + ".data";
                    for (char& c : name)
                        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') c = '_';
                    profiler.emplace(server.pid(), settings.profile_dir + "/" + name);
                    if (!profiler->ok()) std::cerr << "netbench: perf record did not start (install linux-perf)" << std::endl;
                }
                run.result = bench::run_load(run.spec, port, server, progress);
                profiler.reset();
                run.peak_rss_mib = server.peak_rss_mib();
                run.threads = server.peak_threads();
                run.cpu_seconds = server.cpu_seconds();
            }
        } catch (const std::exception& error) {
            run.result.note = error.what();
        }
        if (tty) std::cerr << "\r\033[K";
        std::cerr << label << ": " << with_commas(std::llround(run.result.lines_per_second)) << " lines/s, p99 "
                  << fixed(run.result.p99_ms, 2) << " ms, lost " << run.result.lost << ", garbled " << run.result.garbled
                  << (run.result.note.empty() ? "" : " (" + run.result.note + ")") << std::endl;
    }

    const std::vector<const Run*> shown = show_only_medians(runs);
    const std::string text = loads_line(settings) + "\n\n" + table(shown);
    std::cout << "\n" << machine << "\n\n" << text << std::flush;

    std::vector<bench::ChartPoint> points;
    std::string caption = "p99 latency at " + std::to_string(settings.latency_clients) + " clients x " +
                          fixed(settings.latency_rate, 0) + " lines/s:";
    for (const Run* shown_run : shown) {
        const Run& run = *shown_run;
        if (run.skipped) continue;
        const bench::RunResult& r = run.result;
        if (run.load == Load::storm) continue;  // (the chart shows the windowed load)
        if (run.load == Load::paced) {
            caption += " " + run.server->name + " " + (r.delivered ? fixed(r.p99_ms, 2) + " ms;" : "-;");
            continue;
        }
        points.push_back({run.server->name, run.clients, r.lines_per_second, run.peak_rss_mib,
                          r.lost + r.duplicated + r.out_of_order + r.garbled > 0 || r.served < run.clients});
    }
    if (caption.ends_with(";")) caption.pop_back();
    try {
        std::filesystem::create_directories(settings.out_dir);
        std::ofstream(settings.out_dir + "/bench.md") << "Measured " << machine << " (`./lab bench`).\n\n" << text;
        std::ofstream(settings.out_dir + "/bench.svg")
            << bench::render_chart(points, "Chat servers on loopback (" + machine + ")", caption);
        std::cerr << "\nwrote " << settings.out_dir << "/bench.md and " << settings.out_dir << "/bench.svg" << std::endl;
    } catch (const std::exception& error) {
        std::cerr << "netbench: cannot write to " << settings.out_dir << ": " << error.what() << std::endl;
        return 1;
    }
    return 0;
}
