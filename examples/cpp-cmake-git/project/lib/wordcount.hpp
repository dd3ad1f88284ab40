#pragma once

#include <string>
#include <utility>
#include <vector>

namespace wordcount {

// The `limit` most frequent words of `text` (case-folded, letters only), most frequent first, ties alphabetical.
std::vector<std::pair<std::string, int>> top(const std::string &text, std::size_t limit);

}  // namespace wordcount
