#include "chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <set>

namespace bench {

namespace {

const char* const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"};

std::string format(const char* pattern, double value) {
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::string escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '&') out += "&amp;";
        else out += c;
    }
    return out;
}

std::string short_number(double value) {
    if (value >= 1e6) return format("%gM", value / 1e6);
    if (value >= 1e3) return format("%gk", value / 1e3);
    return format("%g", value);
}

// One panel: x is the client count (evenly spaced), y a log scale.
std::string panel(const std::vector<ChartPoint>& points, const std::vector<std::string>& servers,
                  const std::vector<int>& client_counts, double left, double top, double width, double height,
                  const std::string& label, const std::function<double(const ChartPoint&)>& value) {
    double low = 1e300, high = 0;
    for (const ChartPoint& point : points) {
        const double v = value(point);
        if (v <= 0) continue;
        low = std::min(low, v);
        high = std::max(high, v);
    }
    if (high <= 0) return "";
    double decade_low = std::pow(10.0, std::floor(std::log10(low)));
    double decade_high = std::pow(10.0, std::ceil(std::log10(high)));
    if (decade_high <= decade_low) decade_high = decade_low * 10;
    auto y_of = [&](double v) {
        return top + height - height * (std::log10(v) - std::log10(decade_low)) /
                                  (std::log10(decade_high) - std::log10(decade_low));
    };
    auto x_of = [&](int clients) {
        const auto at = std::find(client_counts.begin(), client_counts.end(), clients) - client_counts.begin();
        return left + width * (static_cast<double>(at) + 0.5) / static_cast<double>(client_counts.size());
    };
    std::string svg;
    svg += "<text x='" + format("%.0f", left + width / 2) + "' y='" + format("%.0f", top - 12) +
           "' text-anchor='middle' font-weight='bold'>" + escape(label) + "</text>\n";
    svg += "<rect x='" + format("%.0f", left) + "' y='" + format("%.0f", top) + "' width='" + format("%.0f", width) +
           "' height='" + format("%.0f", height) + "' fill='none' stroke='#888'/>\n";
    for (double decade = decade_low; decade <= decade_high * 1.001; decade *= 10) {
        const double y = y_of(decade);
        svg += "<line x1='" + format("%.0f", left) + "' x2='" + format("%.0f", left + width) + "' y1='" +
               format("%.1f", y) + "' y2='" + format("%.1f", y) + "' stroke='#ddd'/>\n";
        svg += "<text x='" + format("%.0f", left - 6) + "' y='" + format("%.1f", y + 4) + "' text-anchor='end'>" +
               short_number(decade) + "</text>\n";
    }
    for (int clients : client_counts) {
        svg += "<text x='" + format("%.1f", x_of(clients)) + "' y='" + format("%.0f", top + height + 18) +
               "' text-anchor='middle'>" + short_number(clients) + "</text>\n";
    }
    svg += "<text x='" + format("%.0f", left + width / 2) + "' y='" + format("%.0f", top + height + 36) +
           "' text-anchor='middle'>clients</text>\n";
    for (std::size_t s = 0; s < servers.size(); ++s) {
        const char* colour = colours[s % std::size(colours)];
        std::string path;
        for (int clients : client_counts) {
            for (const ChartPoint& point : points) {
                if (point.server != servers[s] || point.clients != clients || value(point) <= 0) continue;
                const double x = x_of(clients), y = y_of(value(point));
                path += (path.empty() ? "M" : " L") + format("%.1f", x) + "," + format("%.1f", y);
                if (point.faulty) {
                    svg += "<path d='M" + format("%.1f", x - 5) + "," + format("%.1f", y - 5) + " l10,10 m0,-10 l-10,10' stroke='" +
                           colour + "' stroke-width='2.5'/>\n";
                } else {
                    svg += "<circle cx='" + format("%.1f", x) + "' cy='" + format("%.1f", y) + "' r='4' fill='" + colour + "'/>\n";
                }
            }
        }
        if (!path.empty()) svg += "<path d='" + path + "' fill='none' stroke='" + colour + "' stroke-width='2'/>\n";
    }
    return svg;
}

}  // namespace

std::string render_chart(const std::vector<ChartPoint>& points, const std::string& title,
                         const std::string& caption) {
    std::vector<std::string> servers;
    std::set<int> counts;
    for (const ChartPoint& point : points) {
        if (std::find(servers.begin(), servers.end(), point.server) == servers.end()) servers.push_back(point.server);
        counts.insert(point.clients);
    }
    const std::vector<int> client_counts(counts.begin(), counts.end());
    const double width = 1000, height = 470;
    std::string svg = "<svg xmlns='http://www.w3.org/2000/svg' width='" + format("%.0f", width) + "' height='" +
                      format("%.0f", height) + "' font-family='sans-serif' font-size='12'>\n";
    svg += "<rect width='100%' height='100%' fill='white'/>\n";
    svg += "<text x='" + format("%.0f", width / 2) + "' y='22' text-anchor='middle' font-size='15' font-weight='bold'>" +
           escape(title) + "</text>\n";
    svg += panel(points, servers, client_counts, 70, 60, 380, 280, "delivered lines per second",
                 [](const ChartPoint& p) { return p.lines_per_second; });
    svg += panel(points, servers, client_counts, 560, 60, 380, 280, "peak resident memory (MiB)",
                 [](const ChartPoint& p) { return p.peak_rss_mib; });
    double x = 70;
    for (std::size_t s = 0; s < servers.size(); ++s) {
        const char* colour = colours[s % std::size(colours)];
        svg += "<rect x='" + format("%.0f", x) + "' y='395' width='14' height='4' fill='" + colour + "'/>\n";
        svg += "<text x='" + format("%.0f", x + 20) + "' y='401'>" + escape(servers[s]) + "</text>\n";
        x += 40 + 7.0 * static_cast<double>(servers[s].size());
    }
    svg += "<text x='70' y='425'>dot: every line delivered once, whole, in order; cross: lines lost, repeated, "
           "reordered or garbled, or clients not served</text>\n";
    svg += "<text x='70' y='450' fill='#444'>" + escape(caption) + "</text>\n";
    svg += "</svg>\n";
    return svg;
}

}  // namespace bench
