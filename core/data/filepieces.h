// A data file read front to back in pieces, for the readers (jsonl.cpp,
// csvreader.cpp): neither ever asks the file API for a line, so no line is
// read whole before its length is checked (load.h, MaxLineBytes).
#pragma once

#include "data/load.h"

#include <QFile>

#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

class FilePieces {
public:
    // progress is called with min(cap, bytes read / size) each time another
    // reportEvery bytes were read (never for a file whose size is unknown).
    FilePieces(const std::string &path, const LoadProgress &progress, qint64 reportEvery, double cap);

    // False with "<path>: cannot open: <why>", or notRegularFile's message
    // for a FIFO, a device or anything else that is not a regular file
    // (opening one could block, reading it never end).
    bool open(std::string *error);
    // The next piece into *piece, empty at the end of the file. False with
    // "<path>: read error: <why>", or "<path>: load cancelled" when progress
    // returned false. QFile's size() and atEnd() are not to be trusted: a
    // file that fails on read (EIO) or a /proc file reports size 0, so the
    // end is where read() gives nothing.
    bool next(std::string_view *piece, std::string *error);
    // Bytes read so far.
    qint64 done() const { return m_done; }

private:
    std::string m_path;
    QFile m_file;
    const LoadProgress &m_progress;
    qint64 m_reportEvery;
    double m_cap;
    qint64 m_size = 0, m_done = 0, m_lastReport = 0;
    std::vector<char> m_buffer;
};

} // namespace attnscope
