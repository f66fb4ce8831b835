// The main window: it shows, has a real QCustomPlot loss plot,
// names the dataset in its status bar, and quits from File > Quit (Ctrl+Q).
#include "mainwindow.h"
#include "modelpanel.h"
#include "trainingcontroller.h"

#include <QAction>
#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>
#include <QtTest>

#include <qcustomplot.h>

using attnscope::MainWindow;

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void showsAndRenders()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.windowTitle(), QStringLiteral("AttnScope"));
        QVERIFY(window.lossPlot() != nullptr);
        QVERIFY(window.lossPlot()->graphCount() >= 3);  // total: raw, smoothed, validation
        const QImage image = window.grab().toImage();
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 100 && image.height() > 100);
    }

    void statusBarNamesTheData()
    {
        MainWindow window;
        window.setDataSpec(QStringLiteral("builtin:reviews?n=500"));
        QCOMPARE(window.dataSpec(), QStringLiteral("builtin:reviews?n=500"));
        bool found = false;
        for (const QLabel *label : window.statusBar()->findChildren<QLabel *>())
            found = found || label->text().contains(QStringLiteral("builtin:reviews?n=500"));
        QVERIFY(found);
    }

    void quitClosesTheWindow()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAction *quit = nullptr;
        for (QAction *menu : window.menuBar()->actions())
            if (menu->menu())
                for (QAction *action : menu->menu()->actions())
                    if (action->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_Q))
                        quit = action;
        QVERIFY2(quit, "no action with Ctrl+Q in the menus");
        quit->trigger();
        QVERIFY(!window.isVisible());
    }

    // builtin:reviews opens as its lesson (0 encoder layers, docs/datasets.md),
    // says why in the status bar, and builds that model; other data keeps the
    // depth in the Model panel.
    void lessonSetsItsDepth()
    {
        MainWindow window;
        attnscope::ModelConfig config;
        config.layers = 2;
        window.modelPanel()->setConfig(config, 1);
        QVERIFY(window.openDataset(QStringLiteral("builtin:order?n=200")));
        QCOMPARE(window.modelPanel()->config().layers, 2);
        QVERIFY(window.modelPanel()->lessonNote().isEmpty());
        QVERIFY(window.openDataset(QStringLiteral("builtin:reviews?n=200")));
        QCOMPARE(window.modelPanel()->config().layers, 0);
        QVERIFY(window.modelPanel()->lessonNote().contains(QStringLiteral("Set Layers to 1")));
        QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("0 encoder layers")),
                 qPrintable(window.statusBar()->currentMessage()));
        QTRY_VERIFY_WITH_TIMEOUT(window.training()->setup()
                                     && window.training()->setup()->model.config.layers == 0, 20000);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
