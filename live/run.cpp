#include "run.h"

namespace attnscope {

Run::Run(int id, const QString &name, QObject *parent)
    : QObject(parent), m_id(id), m_name(name), m_controller(new TrainingController(this))
{
}

Run::~Run()
{
    m_controller->shutdown();
}

void Run::configure(std::shared_ptr<const TrainingSetup> setup, std::shared_ptr<const Dataset> data,
                    const RunSettings &settings)
{
    m_data = setup ? std::move(data) : nullptr;
    m_settings = settings;
    m_controller->configure(std::move(setup));
}

} // namespace attnscope
