// The tokenizer and vocabulary of MODEL.md section 7.
//
// tokenize() works in one pass over the code points of the original text:
// each code point is lower-cased (possibly into two, U+0130 -> "i" U+0307),
// and every lower-cased code point goes through a small state machine that
// splits on white space and cuts punctuation into single tokens. Each output
// code point remembers the offset of the source code point it came from, so
// Token::start / Token::end are offsets into the ORIGINAL text, which is what
// rationale spans are written in.
#include "tokenizer.h"
#include "utf8.h"

#include <QChar>
#include <QString>

#include <algorithm>
#include <array>
#include <utility>

namespace attnscope {

namespace {

using utf8::appendUtf8;

// Decodes UTF-8 to code points. Input comes from the loaders, which reject
// invalid UTF-8; anything malformed here still must not crash, so a bad byte
// becomes U+FFFD (one per byte, like Python's "replace" for lone bytes).
std::vector<char32_t> decodeUtf8(const std::string &s)
{
    std::vector<char32_t> out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        char32_t cp = 0;
        const int len = utf8::decode(s, i, &cp);
        out.push_back(len ? cp : char32_t(0xFFFD));
        i += size_t(len ? len : 1);
    }
    return out;
}


// Full lower-case mapping of one code point, through QString::toLower (which
// applies the unconditional multi-character mappings of SpecialCasing.txt, as
// Python does). Calling QString for every character would allocate per
// character, so the Basic Multilingual Plane is mapped once into a table; a
// code point whose lower case is longer than one code point is marked and
// still asks QString.
constexpr char32_t MultiMapping = 0xFFFFFFFF;

const std::vector<char32_t> &bmpLowerTable()
{
    static const std::vector<char32_t> table = [] {
        std::vector<char32_t> t(0x10000);
        for (char32_t cp = 0; cp < 0x10000; ++cp) {
            if (cp < 0x80) {
                t[cp] = (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
                continue;
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) { // lone surrogates cannot come from UTF-8
                t[cp] = cp;
                continue;
            }
            const QString lower = QString(QChar(char16_t(cp))).toLower();
            t[cp] = lower.size() == 1 ? char32_t(lower.at(0).unicode()) : MultiMapping;
        }
        return t;
    }();
    return table;
}

int lowerCase(char32_t cp, std::array<char32_t, 4> *out)
{
    if (cp < 0x10000) {
        const char32_t simple = bmpLowerTable()[cp];
        if (simple != MultiMapping) {
            (*out)[0] = simple;
            return 1;
        }
    }
    const QString lower = QString::fromUcs4(&cp, 1).toLower();
    int n = 0;
    for (qsizetype i = 0; i < lower.size() && n < 4; ++i) {
        const QChar c = lower.at(i);
        if (c.isHighSurrogate() && i + 1 < lower.size()) {
            (*out)[n++] = QChar::surrogateToUcs4(c, lower.at(i + 1));
            ++i;
        } else {
            (*out)[n++] = c.unicode();
        }
    }
    return n;
}

// Python's str.lower() maps a capital sigma at the end of a word to the final
// form (U+03C2) and elsewhere to U+03C3 (Unicode's Final_Sigma condition);
// QString::toLower always gives U+03C3. The condition is: preceded by a
// cased letter and not followed by one, skipping case-ignorable characters.
// Qt has neither property, so they are built from its categories plus the
// few characters that the categories miss: cased = Lu, Ll, Lt and the
// Other_Lowercase / Other_Uppercase characters that are not case-ignorable;
// case-ignorable = Mn, Me, Cf, Lm, Sk and the word-break MidLetter /
// MidNumLet / Single_Quote characters. Checked against Python 3.11 over
// every code point (which characters make a following or preceding sigma
// final): no difference.
bool isCased(char32_t cp)
{
    const QChar::Category c = QChar::category(cp);
    if (c == QChar::Letter_Uppercase || c == QChar::Letter_Lowercase || c == QChar::Letter_Titlecase)
        return true;
    return cp == 0x00AA || cp == 0x00BA                  // feminine / masculine ordinal
        || (cp >= 0x2160 && cp <= 0x217F)                // Roman numerals
        || (cp >= 0x24B6 && cp <= 0x24E9)                // circled letters
        || (cp >= 0x1F130 && cp <= 0x1F149)              // squared letters
        || (cp >= 0x1F150 && cp <= 0x1F169)              // negative circled letters
        || (cp >= 0x1F170 && cp <= 0x1F189);             // negative squared letters
}

bool isCaseIgnorable(char32_t cp)
{
    switch (cp) {
    case 0x0027: case 0x002E: case 0x003A: case 0x00B7: case 0x0387: case 0x055F: case 0x05F4:
    case 0x2018: case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52:
    case 0xFE55: case 0xFF07: case 0xFF0E: case 0xFF1A:
        return true;
    default:
        break;
    }
    switch (QChar::category(cp)) {
    case QChar::Mark_NonSpacing: case QChar::Mark_Enclosing: case QChar::Other_Format:
    case QChar::Letter_Modifier: case QChar::Symbol_Modifier:
        return true;
    default:
        return false;
    }
}

bool isFinalSigma(const std::vector<char32_t> &cps, size_t i)
{
    size_t j = i;
    while (j > 0 && isCaseIgnorable(cps[j - 1])) --j;
    if (j == 0 || !isCased(cps[j - 1])) return false;
    size_t k = i + 1;
    while (k < cps.size() && isCaseIgnorable(cps[k])) ++k;
    return k == cps.size() || !isCased(cps[k]);
}

bool isPunctuation(char32_t cp)
{
    switch (QChar::category(cp)) {
    case QChar::Punctuation_Connector: case QChar::Punctuation_Dash:
    case QChar::Punctuation_Open: case QChar::Punctuation_Close:
    case QChar::Punctuation_InitialQuote: case QChar::Punctuation_FinalQuote:
    case QChar::Punctuation_Other:
        return true;
    default:
        return false;
    }
}

// The general path's answers for the 128 ASCII characters, built with it
// once: lower case (every ASCII character lowers to one), space, punctuation.
struct AsciiTable {
    std::array<char, 128> lower{};
    std::array<bool, 128> space{}, punct{};
};

const AsciiTable &asciiTable()
{
    static const AsciiTable table = [] {
        AsciiTable t;
        std::array<char32_t, 4> lower{};
        for (char32_t c = 0; c < 128; ++c) {
            const int n = lowerCase(c, &lower);
            t.lower[c] = n == 1 && lower[0] < 128 ? char(lower[0]) : char(c);
            t.space[c] = QChar::isSpace(c);
            t.punct[c] = isPunctuation(c);
        }
        return t;
    }();
    return table;
}

// tokenize() of a text that is all ASCII: byte i is code point i, and no
// character needs the Unicode tables (most data; about 3x faster).
std::vector<Token> tokenizeAscii(const std::string &text, int maxLen, bool *truncated)
{
    const AsciiTable &table = asciiTable();
    std::vector<Token> tokens;
    Token current;
    bool open = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const bool punct = table.punct[c];
        if (table.space[c] || punct) {
            if (open) tokens.push_back(std::move(current));
            current = Token();
            open = false;
            if (!punct) continue;
        }
        if (!open) {
            if (maxLen > 0 && int(tokens.size()) >= maxLen) {
                if (truncated) *truncated = true;
                return tokens;
            }
            open = true;
            current.start = int(i);
        }
        current.text.push_back(table.lower[c]);
        current.end = int(i) + 1;
        if (punct) {
            tokens.push_back(std::move(current));
            current = Token();
            open = false;
        }
    }
    if (open) tokens.push_back(std::move(current));
    return tokens;
}

} // namespace

std::vector<Token> tokenize(const std::string &utf8, int maxLen, bool *truncated)
{
    if (truncated) *truncated = false;
    if (std::all_of(utf8.begin(), utf8.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
        return tokenizeAscii(utf8, maxLen, truncated);
    std::vector<Token> tokens;
    const std::vector<char32_t> cps = decodeUtf8(utf8);

    Token current;
    bool open = false; // a word token is being built
    auto close = [&] {
        if (open) tokens.push_back(std::move(current));
        current = Token();
        open = false;
    };
    // The cut: once maxLen tokens exist, the start of another one means the
    // text was truncated, and nothing more is needed.
    auto full = [&] { return maxLen > 0 && int(tokens.size()) >= maxLen; };

    std::array<char32_t, 4> lower{};
    for (size_t i = 0; i < cps.size(); ++i) {
        int n;
        if (cps[i] == 0x03A3) {
            lower[0] = isFinalSigma(cps, i) ? 0x03C2 : 0x03C3;
            n = 1;
        } else {
            n = lowerCase(cps[i], &lower);
        }
        const int source = int(i);
        for (int k = 0; k < n; ++k) {
            const char32_t cp = lower[k];
            if (QChar::isSpace(cp)) {
                close();
                continue;
            }
            const bool punct = isPunctuation(cp);
            if (punct) close();
            if (!open) {
                if (full()) {
                    if (truncated) *truncated = true;
                    return tokens;
                }
                open = true;
                current.start = source;
            }
            appendUtf8(&current.text, cp);
            current.end = source + 1;
            if (punct) close();
        }
    }
    close();
    return tokens;
}

// ---------------------------------------------------------------------------

namespace {
const char *const PadToken = "<pad>";
const char *const UnkToken = "<unk>";
} // namespace

Vocabulary::Vocabulary() : Vocabulary(std::vector<std::string>{PadToken, UnkToken}) {}

Vocabulary::Vocabulary(std::vector<std::string> tokens) : m_tokens(std::move(tokens))
{
    // The specials get no entry: "<pad>" or "<unk>" written in a text must
    // read as <unk>, never as padding (MODEL.md 7). A duplicate keeps its
    // first id.
    m_ids.reserve(m_tokens.size());
    for (size_t i = 0; i < m_tokens.size(); ++i) {
        if (m_tokens[i] == PadToken || m_tokens[i] == UnkToken) continue;
        m_ids.emplace(m_tokens[i], int32_t(i));
    }
}

Vocabulary Vocabulary::build(const std::vector<std::vector<Token>> &texts, int minFreq,
                             int maxVocab)
{
    std::unordered_map<std::string, int64_t> counts;
    for (const auto &text : texts)
        for (const Token &token : text)
            if (token.text != PadToken && token.text != UnkToken) ++counts[token.text];

    std::vector<std::pair<std::string, int64_t>> entries;
    entries.reserve(counts.size());
    for (auto &[token, count] : counts)
        if (count >= std::max(minFreq, 1)) entries.emplace_back(token, count);
    // Most frequent first; ties in byte order. std::string compares as
    // unsigned char bytes, which for UTF-8 is code point order.
    std::sort(entries.begin(), entries.end(), [](const auto &a, const auto &b) {
        if (a.second != b.second) return a.second > b.second;
        return a.first < b.first;
    });

    const size_t room = size_t(std::max(maxVocab, 2) - 2);
    std::vector<std::string> tokens{PadToken, UnkToken};
    for (size_t i = 0; i < entries.size() && i < room; ++i)
        tokens.push_back(std::move(entries[i].first));
    return Vocabulary(std::move(tokens));
}

int32_t Vocabulary::id(const std::string &token) const
{
    const auto it = m_ids.find(token);
    return it == m_ids.end() ? Unk : it->second;
}

} // namespace attnscope
