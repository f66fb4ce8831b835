// attnscope-cli: train, evaluate and inspect models without the GUI.
// Exit codes: 0 success, 1 a file, dataset or checkpoint problem, 2 a usage error.
#include "cli.h"

#include <cstdio>
#include <exception>
#include <new>

namespace {

const char *const usage =
    "Usage: attnscope-cli COMMAND [options]\n"
    "\n"
    "Commands:\n"
    "  train      train a model on a dataset and write a checkpoint\n"
    "  eval       score a checkpoint on a split of a dataset\n"
    "  attention  write a checkpoint's attention on a text or dataset as JSON\n"
    "  bench      time training steps of the core\n"
    "  summary    what a dataset holds: splits, classes, vocabulary or feature ranges, lengths\n"
    "\n"
    "'attnscope-cli COMMAND --help' lists a command's options; docs/cli.md has examples.\n";

int run(const std::vector<std::string> &args)
{
    using namespace attnscope;
    if (args.empty()) {
        std::fputs(usage, stderr);
        return ExitUsage;
    }
    const std::string &command = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "--help" || command == "-h") {
        std::fputs(usage, stdout);
        return ExitOk;
    }
    if (command == "help" && !rest.empty()) {  // "help train" = "train --help"
        std::vector<std::string> help{rest[0], "--help"};
        return run(help);
    }
    if (command == "--version") {
        std::printf("attnscope-cli %s\n", ATTNSCOPE_VERSION);
        return ExitOk;
    }
    if (command == "train")
        return cli::train(rest);
    if (command == "eval")
        return cli::eval(rest);
    if (command == "attention")
        return cli::attention(rest);
    if (command == "bench")
        return cli::bench(rest);
    if (command == "summary")
        return cli::summary(rest);
    throw UsageError("attnscope-cli: unknown command '" + command
                     + "' (the commands are train, eval, attention, bench and summary; see attnscope-cli --help)");
}

} // namespace

int main(int argc, char **argv)
{
    using namespace attnscope;
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const UsageError &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return ExitUsage;
    } catch (const cli::Failure &e) {
        std::fprintf(stderr, "attnscope-cli: error: %s\n", e.what());
        return ExitFailure;
    } catch (const std::bad_alloc &) {
        std::fprintf(stderr, "attnscope-cli: error: out of memory\n");
        return ExitFailure;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "attnscope-cli: error: %s\n", e.what());
        return ExitFailure;
    } catch (...) {
        std::fprintf(stderr, "attnscope-cli: error: unexpected failure\n");
        return ExitFailure;
    }
}
