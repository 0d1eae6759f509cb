#pragma once
// The bench's results as a picture: plain SVG, written by hand, so that the
// chart needs no plotting tool and renders on GitHub and in any browser.

#include <string>
#include <vector>

namespace bench {

struct ChartPoint {
    std::string server;
    int clients = 0;
    double lines_per_second = 0;
    double peak_rss_mib = 0;
    bool faulty = false;  // lines lost, duplicated, reordered or garbled, or not everyone served
};

// Two panels: delivered lines per second, and peak resident memory, both
// against the number of clients, one line per server. `caption` goes under.
std::string render_chart(const std::vector<ChartPoint>& points, const std::string& title,
                         const std::string& caption);

}  // namespace bench
