#include <iostream>
#include <string>

#include "wordcount.hpp"

// topwords [TEXT...]: the three most frequent words of the arguments (of a built-in sentence without any)
int main(int argc, char **argv) {
    std::string text = "the cat and the dog and the bird";
    if (argc > 1) {
        text.clear();
        for (int i = 1; i < argc; ++i) {
            text += std::string(argv[i]) + " ";
        }
    }
    std::cout << "topwords " << TOPWORDS_VERSION << ":";
    for (const auto &[word, count] : wordcount::top(text, 3)) {
        std::cout << " " << word << "=" << count;
    }
    std::cout << std::endl;
    return 0;
}
