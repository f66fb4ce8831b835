// A CSV the programs wrote, read back as core's RFC 4180 parser reads it:
// for the tests of the exports (test_attention, test_losshistory), which
// check the columns a name with commas, quotes or line breaks ends up in.
#pragma once

#include "data/csvparser.h"

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <string>
#include <vector>

// The CSV's records (empty on a parse error, which is printed).
inline std::vector<std::vector<std::string>> csvRecords(const QString &csv)
{
    std::vector<std::vector<std::string>> out;
    attnscope::CsvParser parser(',', [&](int, std::vector<std::string> &fields) {
        out.push_back(fields);
        return true;
    });
    const QByteArray bytes = csv.toUtf8();
    if (!parser.feed(bytes.constData(), size_t(bytes.size())) || !parser.finish()) {
        qWarning("%s", parser.error().c_str());
        return {};
    }
    return out;
}
