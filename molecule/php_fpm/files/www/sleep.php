<?php
// Holds a PHP-FPM worker for ?seconds= seconds (load and graceful-reload tests). A signal may
// cut sleep() short, so it sleeps until the time is really up, and reports how long it took.
$seconds = max(0, min(30, (int) ($_GET['seconds'] ?? 1)));
$start = microtime(true);
while (($left = $start + $seconds - microtime(true)) > 0) {
    usleep((int) min($left * 1000000, 200000));
}
header('Content-Type: application/json');
$end = microtime(true);
echo json_encode(['slept' => round($end - $start, 3), 'started' => $start, 'finished' => $end,
                  'pid' => getmypid(), 'done' => true]);
