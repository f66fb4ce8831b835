#include "tasknames.h"

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>

namespace attnscope {

QString elidedName(const QString &name, int maxChars)
{
    if (name.size() <= maxChars)
        return name;
    qsizetype keep = std::max(0, maxChars - 1);
    if (keep > 0 && name.at(keep - 1).isHighSurrogate())
        --keep;  // keep the pair whole: drop its first half too
    return name.left(keep) + QChar(0x2026);
}

QString elidedName(const std::string &name, int maxChars)
{
    // A UTF-8 character is at most 4 bytes and at most 2 UTF-16 units: 4
    // bytes per character shown (and one more, so that a cut is seen) is
    // always enough to decide.
    const size_t enough = size_t(std::max(0, maxChars) + 1) * 4;
    if (name.size() <= enough)
        return elidedName(QString::fromStdString(name), maxChars);
    size_t end = enough;
    while (end > 0 && (static_cast<unsigned char>(name[end]) & 0xC0) == 0x80)
        --end;  // the start of the character that `enough` falls in
    return elidedName(QString::fromUtf8(name.data(), qsizetype(end)) + QChar(0x2026), maxChars);
}

QString elidedMessage(const QString &message, int maxChars)
{
    if (message.size() <= maxChars)
        return message;
    qsizetype head = std::max(0, maxChars - 1) / 2;
    qsizetype tail = std::max(0, maxChars - 1) - head;
    if (head > 0 && message.at(head - 1).isHighSurrogate())
        --head;
    if (tail > 0 && message.at(message.size() - tail).isLowSurrogate())
        --tail;
    return message.left(head) + QChar(0x2026) + message.right(tail);
}

QString andMore(qint64 count, const QString &what)
{
    return QCoreApplication::translate("attnscope", "and %1 more %2").arg(QLocale().toString(count), what);
}

} // namespace attnscope
