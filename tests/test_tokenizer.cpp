// The tokenizer and vocabulary of MODEL.md section 7. Expected lower-cased
// forms are what Python's str.lower() gives (checked with Python 3.11,
// Unicode 14); categories are unicodedata.category().
#include "tokenizer.h"

#include <QtTest>

using namespace attnscope;

namespace {

// "text@start-end|text@start-end|..." : compact and shows every field.
QString describe(const std::vector<Token> &tokens)
{
    QStringList parts;
    for (const Token &t : tokens)
        parts << QStringLiteral("%1@%2-%3").arg(QString::fromStdString(t.text)).arg(t.start).arg(t.end);
    return parts.join(QLatin1Char('|'));
}

std::vector<Token> words(std::initializer_list<const char *> list)
{
    std::vector<Token> out;
    for (const char *w : list) out.push_back({w, 0, 0});
    return out;
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void tokenize_data();
    void tokenize();
    void truncation_data();
    void truncation();
    void offsetsPointIntoTheOriginal();
    void asciiFastPathEqualsTheGeneralOne();

    void vocabularyOrder();
    void vocabularyTiesByUtf8Bytes();
    void vocabularyMinFreq();
    void vocabularyMaxVocab_data();
    void vocabularyMaxVocab();
    void specialsInTextReadAsUnk();
    void vocabularyFromList();
};

void TestTokenizer::tokenize_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("empty") << "" << "";
    QTest::newRow("only spaces") << " \t\n " << "";
    QTest::newRow("punctuation split") << "Hello, World!" << "hello@0-5|,@5-6|world@7-12|!@12-13";
    QTest::newRow("apostrophe is punctuation") << "Don't" << "don@0-3|'@3-4|t@4-5";
    QTest::newRow("underscore is punctuation (Pc)") << "snake_case" << "snake@0-5|_@5-6|case@6-10";
    QTest::newRow("runs of punctuation") << "wow!!" << "wow@0-3|!@3-4|!@4-5";
    QTest::newRow("symbols stay in words") << "$5 a+b x^2 a|b €10 ©2024"
                                           << "$5@0-2|a+b@3-6|x^2@7-10|a|b@11-14|€10@15-18|©2024@19-24";
    QTest::newRow("<pad> is one word") << "a <pad> b" << "a@0-1|<pad>@2-7|b@8-9";
    QTest::newRow("accented capitals") << "ÉCOLE Ça" << "école@0-5|ça@6-8";
    // U+0130 lower-cases to two code points (i + U+0307) that both come from
    // the one original code point.
    QTest::newRow("dotted capital I") << QString::fromUtf8("İstanbul")
                                      << QString::fromUtf8("i\u0307stanbul@0-8");
    QTest::newRow("Kelvin sign") << QString::fromUtf8("\u212A") << "k@0-1";
    QTest::newRow("titlecase digraph") << QString::fromUtf8("\u01C5") << QString::fromUtf8("\u01C6@0-1");
    QTest::newRow("fullwidth") << QString::fromUtf8("ＡＢＣ") << QString::fromUtf8("ａｂｃ@0-3");
    // Python: "ΟΔΟΣ ΣΑΣ.".lower() == "οδος σας." (final sigma at a word end)
    QTest::newRow("final sigma") << QString::fromUtf8("ΟΔΟΣ ΣΑΣ.")
                                 << QString::fromUtf8("οδος@0-4|σας@5-8|.@8-9");
    // "ΣΑΣ.Β".lower() == "σασ.β": the full stop is case-ignorable, and a
    // cased letter follows it.
    QTest::newRow("sigma before ignorable") << QString::fromUtf8("ΣΑΣ.Β")
                                            << QString::fromUtf8("σασ@0-3|.@3-4|β@4-5");
    QTest::newRow("lone sigma") << QString::fromUtf8("Σ") << QString::fromUtf8("σ@0-1");
    // Circled letters (So) and Roman numerals (Nl) are cased for Unicode:
    // "ⒶΣ ⅠΣ".lower() == "ⓐς ⅰς".
    QTest::newRow("sigma after cased symbols") << QString::fromUtf8("ⒶΣ ⅠΣ")
                                               << QString::fromUtf8("ⓐς@0-2|ⅰς@3-5");
    QTest::newRow("quotes and dashes") << QString::fromUtf8("«quote» a—b ¿Qué?")
                                       << QString::fromUtf8("«@0-1|quote@1-6|»@6-7|a@8-9|—@9-10|b@10-11|¿@12-13|qué@13-16|?@16-17");
    QTest::newRow("unicode spaces") << QString::fromUtf8("a\u00A0b\u3000c\td\ne\u2029f")
                                    << "a@0-1|b@2-3|c@4-5|d@6-7|e@8-9|f@10-11";
    // An emoji is one code point (two UTF-16 units): offsets count it once.
    QTest::newRow("non-BMP symbol") << QString::fromUtf8("good\U0001F600! ok")
                                    << QString::fromUtf8("good\U0001F600@0-5|!@5-6|ok@7-9");
    QTest::newRow("digits") << "Model X200, 3.5mm" << "model@0-5|x200@6-10|,@10-11|3@12-13|.@13-14|5mm@14-17";
}

void TestTokenizer::tokenize()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    bool truncated = true;
    const std::vector<Token> tokens = attnscope::tokenize(text.toStdString(), 0, &truncated);
    QCOMPARE(describe(tokens), expected);
    QVERIFY(!truncated);
}

void TestTokenizer::truncation_data()
{
    QTest::addColumn<int>("maxLen");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("truncated");

    // "a, b c." has five tokens: a , b c .
    QTest::newRow("no limit") << 0 << "a@0-1|,@1-2|b@3-4|c@5-6|.@6-7" << false;
    QTest::newRow("exactly enough") << 5 << "a@0-1|,@1-2|b@3-4|c@5-6|.@6-7" << false;
    QTest::newRow("cut before punctuation") << 1 << "a@0-1" << true;
    QTest::newRow("cut in the middle") << 3 << "a@0-1|,@1-2|b@3-4" << true;
    QTest::newRow("cut before the last") << 4 << "a@0-1|,@1-2|b@3-4|c@5-6" << true;
}

void TestTokenizer::truncation()
{
    QFETCH(int, maxLen);
    QFETCH(QString, expected);
    QFETCH(bool, truncated);
    bool cut = !truncated;
    QCOMPARE(describe(attnscope::tokenize("a, b c.  ", maxLen, &cut)), expected);
    QCOMPARE(cut, truncated);
    // Trailing white space after the last kept token is not a cut.
    QCOMPARE(describe(attnscope::tokenize("a  ", 1, &cut)), QStringLiteral("a@0-1"));
    QVERIFY(!cut);
    // The pointer is optional.
    QCOMPARE(int(attnscope::tokenize("a b c", 2).size()), 2);
}

// All-ASCII text takes a fast path; the same text with a no-break space
// (U+00A0: white space, no token) at its end takes the general one. Over
// random ASCII (every byte value below 128, controls and symbols included)
// both give the same tokens, offsets and truncation.
void TestTokenizer::asciiFastPathEqualsTheGeneralOne()
{
    uint32_t state = 7;
    const auto next = [&state]() {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    };
    const char *const words[] = {"Not", "GOOD", "it's", "e-mail", "$5", "a+b", "x_y", "50%", "<b>", "ok?!"};
    for (int round = 0; round < 2000; ++round) {
        std::string text;
        const int length = int(next() % 40);
        for (int i = 0; i < length; ++i)
            if (next() % 3 == 0)
                text += words[next() % 10];
            else
                text += char(next() % 128);
        for (int maxLen : {0, 3}) {
            bool cutFast = false, cutGeneral = false;
            const std::vector<Token> fast = attnscope::tokenize(text, maxLen, &cutFast);
            const std::vector<Token> general = attnscope::tokenize(text + "\xC2\xA0", maxLen, &cutGeneral);
            QCOMPARE(describe(fast), describe(general));
            QCOMPARE(cutFast, cutGeneral);
        }
    }
}

void TestTokenizer::offsetsPointIntoTheOriginal()
{
    // Offsets index the original text by code point, so slicing the
    // original there gives the token's source, whatever lower-casing did.
    const QString text = QString::fromUtf8("Çok GÜZEL, İyi 😀 ürün.");
    const std::vector<Token> tokens = attnscope::tokenize(text.toStdString(), 0);
    const QList<uint> ucs4 = text.toUcs4();
    QStringList sources;
    for (const Token &t : tokens) {
        QVERIFY(t.start < t.end);
        QVERIFY(t.end <= ucs4.size());
        QString source;
        for (int i = t.start; i < t.end; ++i) source += QString::fromUcs4(reinterpret_cast<const char32_t *>(&ucs4[i]), 1);
        sources << source;
        QCOMPARE(QString::fromStdString(t.text), source.toLower());
    }
    QCOMPARE(sources.join(QLatin1Char('|')), QString::fromUtf8("Çok|GÜZEL|,|İyi|😀|ürün|."));
}

void TestTokenizer::vocabularyOrder()
{
    // counts: b 3, a 2, c 2, d 1 -> most frequent first, ties by bytes
    const Vocabulary v = Vocabulary::build({words({"c", "b", "a", "b"}), words({"d", "a", "b", "c"})});
    const std::vector<std::string> expected{"<pad>", "<unk>", "b", "a", "c", "d"};
    QCOMPARE(v.tokens(), expected);
    QCOMPARE(v.size(), 6);
    QCOMPARE(v.id("<pad>"), Vocabulary::Unk); // never padding from text
    QCOMPARE(v.id("b"), 2);
    QCOMPARE(v.id("d"), 5);
    QCOMPARE(v.id("never seen"), Vocabulary::Unk);
    QCOMPARE(Vocabulary::Pad, 0);
    QCOMPARE(Vocabulary::Unk, 1);
}

void TestTokenizer::vocabularyTiesByUtf8Bytes()
{
    // Byte order of UTF-8 is code point order: U+FF21 (EF BC A1) comes before
    // U+1F600 (F0 9F 98 80), although UTF-16 order (FF21 vs D83D) would put
    // the emoji first; "é" (C3 A9) comes after "z" (7A).
    const std::string emoji = "\U0001F600", fullwidthA = "\uFF21", eAcute = "\u00E9";
    const Vocabulary v = Vocabulary::build({words({emoji.c_str(), fullwidthA.c_str(), eAcute.c_str(), "z"})});
    const std::vector<std::string> expected{"<pad>", "<unk>", "z", eAcute, fullwidthA, emoji};
    QCOMPARE(v.tokens(), expected);
}

void TestTokenizer::vocabularyMinFreq()
{
    const std::vector<std::vector<Token>> texts{words({"a", "b", "a", "c"}), words({"b", "a", "d"})};
    const std::vector<std::string> two{"<pad>", "<unk>", "a", "b"};
    QCOMPARE(Vocabulary::build(texts, 2).tokens(), two);
    const std::vector<std::string> three{"<pad>", "<unk>", "a"};
    QCOMPARE(Vocabulary::build(texts, 3).tokens(), three);
    const std::vector<std::string> none{"<pad>", "<unk>"};
    QCOMPARE(Vocabulary::build(texts, 4).tokens(), none);
    QCOMPARE(Vocabulary::build(texts, 0).size(), 6); // below 1 means 1
    QCOMPARE(Vocabulary().size(), 2);
}

void TestTokenizer::vocabularyMaxVocab_data()
{
    QTest::addColumn<int>("maxVocab");
    QTest::addColumn<QString>("expected");
    QTest::newRow("room for all") << 100 << "<pad> <unk> a b c d";
    QTest::newRow("exact") << 6 << "<pad> <unk> a b c d";
    QTest::newRow("cut by frequency") << 4 << "<pad> <unk> a b";
    QTest::newRow("specials only") << 2 << "<pad> <unk>";
    QTest::newRow("below two keeps the specials") << 0 << "<pad> <unk>";
}

void TestTokenizer::vocabularyMaxVocab()
{
    QFETCH(int, maxVocab);
    QFETCH(QString, expected);
    const Vocabulary v = Vocabulary::build({words({"a", "a", "a", "b", "b", "c", "d"}), words({"c", "d", "b"})},
                                           1, maxVocab);
    QStringList got;
    for (const std::string &t : v.tokens()) got << QString::fromStdString(t);
    QCOMPARE(got.join(QLatin1Char(' ')), expected);
}

void TestTokenizer::specialsInTextReadAsUnk()
{
    // "<pad>" and "<unk>" written in a text are neither counted nor given
    // ids of their own; both read as <unk>.
    const auto tokens = attnscope::tokenize("<PAD> <unk> <pad> word", 0);
    QCOMPARE(describe(tokens), QStringLiteral("<pad>@0-5|<unk>@6-11|<pad>@12-17|word@18-22"));
    const Vocabulary v = Vocabulary::build({tokens});
    const std::vector<std::string> expected{"<pad>", "<unk>", "word"};
    QCOMPARE(v.tokens(), expected);
    for (int i = 0; i < 3; ++i) QCOMPARE(v.id(tokens[size_t(i)].text), Vocabulary::Unk);
    QCOMPARE(v.id("word"), 2);
}

void TestTokenizer::vocabularyFromList()
{
    // As a checkpoint gives it back: ids are positions.
    const Vocabulary v({"<pad>", "<unk>", "x", "y", "x"});
    QCOMPARE(v.size(), 5);
    QCOMPARE(v.id("x"), 2); // a duplicate keeps its first id
    QCOMPARE(v.id("y"), 3);
    QCOMPARE(v.id("<unk>"), Vocabulary::Unk);
    QCOMPARE(v.id("<pad>"), Vocabulary::Unk);
    QCOMPARE(v.id("z"), Vocabulary::Unk);
}

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
