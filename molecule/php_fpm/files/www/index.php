<?php
// Stand-in for Laravel's public/index.php: every route nginx does not find as a file lands here.
header('Content-Type: application/json');
echo json_encode([
    'front_controller' => true,
    'request_uri' => $_SERVER['REQUEST_URI'],
    'query' => $_GET,
    'script_filename' => $_SERVER['SCRIPT_FILENAME'],
]);
