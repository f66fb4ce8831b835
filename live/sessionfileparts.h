// The parts of the session file (sessionfile.h), for its own files only:
// the JSON that its text columns hold, shared by the writer and the reader.
//   sessionfile.cpp        open, the header and schema checks, the connection, transactions
//   sessionfilejson.cpp    a run's settings, a timeline snapshot and a trainer's state as JSON
//   sessionfilewrite.cpp   SessionFile's writing (runs, curves, checkpoints, timeline, probes, layout)
//   sessionfileread.cpp    SessionFile's reading, and the figures of a run
#pragma once

#include "sessionfile.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QVariant>

#include <cmath>
#include <vector>

namespace attnscope::sessionfile {

// A JSON array or object as one line of text, and back (*ok: it was one).
QByteArray compact(const QJsonValue &value);
QJsonValue parseJson(const QVariant &text, bool *ok);

// Floats as JSON numbers; NaN (no value) as null; and back.
template <class Float>
QJsonArray numbers(const std::vector<Float> &values)
{
    QJsonArray array;
    for (Float v : values)
        array.append(std::isfinite(double(v)) ? QJsonValue(double(v)) : QJsonValue());
    return array;
}

template <class Float>
std::vector<Float> fromNumbers(const QJsonValue &value)
{
    std::vector<Float> out;
    for (const QJsonValue &v : value.toArray())
        out.push_back(v.isDouble() ? Float(v.toDouble()) : Float(NAN));
    return out;
}

template <class Int>
QJsonArray integers(const std::vector<Int> &values)
{
    QJsonArray array;
    for (Int v : values)
        array.append(qint64(v));
    return array;
}

template <class Int>
std::vector<Int> fromIntegers(const QJsonValue &value)
{
    std::vector<Int> out;
    for (const QJsonValue &v : value.toArray())
        out.push_back(Int(v.toInteger()));
    return out;
}

// The trainer's state but its optimiser's buffers (the checkpoints table
// keeps those as bytes beside it), and back; false when a field is missing.
QJsonObject trainerJson(const TrainerState &s);
bool fromTrainerJson(const QJsonObject &o, TrainerState *s);

} // namespace attnscope::sessionfile
