// Text to tokens and tokens to ids, as MODEL.md section 7 says.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope {

struct Token {
    std::string text;  // lower-cased UTF-8
    int start = 0;     // offset of its first code point in the original text
    int end = 0;       // one past its last code point in the original text
};

// Lower-cases (full Unicode mapping), splits on white space (QChar::isSpace),
// makes each punctuation character (category P*) a token of its own and keeps
// symbols (S*) inside words. At most maxLen tokens (maxLen <= 0: no limit).
// *truncated (if given) is set when tokens were cut.
std::vector<Token> tokenize(const std::string &utf8, int maxLen, bool *truncated = nullptr);

class Vocabulary {
public:
    static constexpr int32_t Pad = 0;
    static constexpr int32_t Unk = 1;

    Vocabulary();  // just <pad> and <unk>
    explicit Vocabulary(std::vector<std::string> tokens);  // in id order, specials first

    // <pad>, <unk>, then tokens counted at least minFreq times, most frequent
    // first, ties in byte order; at most maxVocab entries in all.
    static Vocabulary build(const std::vector<std::vector<Token>> &texts, int minFreq = 1,
                            int maxVocab = 20000);

    int32_t id(const std::string &token) const;  // Unk when unknown (and for "<pad>"/"<unk>")
    const std::vector<std::string> &tokens() const { return m_tokens; }
    int size() const { return int(m_tokens.size()); }

private:
    std::vector<std::string> m_tokens;
    std::unordered_map<std::string, int32_t> m_ids;
};

} // namespace attnscope
