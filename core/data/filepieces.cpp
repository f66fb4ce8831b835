#include "data/filepieces.h"

#include "fileutil.h"

#include <algorithm>

namespace attnscope {

FilePieces::FilePieces(const std::string &path, const LoadProgress &progress, qint64 reportEvery, double cap)
    : m_path(path), m_file(QString::fromStdString(path)), m_progress(progress), m_reportEvery(reportEvery), m_cap(cap)
{
}

bool FilePieces::open(std::string *error)
{
    // Here as well as in loadDataset: guessCsvColumns comes straight to the
    // CSV reader, and opening a FIFO blocks until something writes to it.
    if (std::string problem = notRegularFile(m_path); !problem.empty()) {
        if (error) *error = std::move(problem);
        return false;
    }
    if (!m_file.open(QIODevice::ReadOnly)) {
        if (error) *error = m_path + ": cannot open: " + m_file.errorString().toStdString();
        return false;
    }
    // 1 MiB pieces; a small file needs no more than its size (+1 to see the end).
    m_size = m_file.size();
    m_buffer.resize(size_t(m_size > 0 ? std::min<qint64>(m_size + 1, qint64(1) << 20) : qint64(1) << 16));
    return true;
}

bool FilePieces::next(std::string_view *piece, std::string *error)
{
    // The progress of the pieces handed out so far, now that the caller is done with them.
    if (m_progress && m_size > 0 && m_done - m_lastReport >= m_reportEvery) {
        m_lastReport = m_done;
        if (!m_progress(std::min(m_cap, double(m_done) / double(m_size)))) {
            if (error) *error = m_path + ": load cancelled";
            return false;
        }
    }
    const qint64 n = m_file.read(m_buffer.data(), qint64(m_buffer.size()));
    if (n < 0) {
        if (error) *error = m_path + ": read error: " + m_file.errorString().toStdString();
        return false;
    }
    m_done += n;
    *piece = std::string_view(m_buffer.data(), size_t(n));
    return true;
}

} // namespace attnscope
