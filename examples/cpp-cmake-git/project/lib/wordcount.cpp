#include "wordcount.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace wordcount {

std::vector<std::pair<std::string, int>> top(const std::string &text, std::size_t limit) {
    std::map<std::string, int> counts;
    std::string word;
    for (char c : text + " ") {
        if (std::isalpha(static_cast<unsigned char>(c))) {
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!word.empty()) {
            ++counts[word];
            word.clear();
        }
    }
    std::vector<std::pair<std::string, int>> ranked(counts.begin(), counts.end());
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto &a, const auto &b) { return a.second > b.second; });
    if (ranked.size() > limit) {
        ranked.resize(limit);
    }
    return ranked;
}

}  // namespace wordcount
