<?php
// What this PHP-FPM worker really runs with, read live.
header('Content-Type: application/json');
$names = ['opcache.enable', 'opcache.memory_consumption', 'opcache.max_accelerated_files',
          'opcache.validate_timestamps', 'opcache.revalidate_freq', 'upload_max_filesize',
          'post_max_size', 'expose_php'];
$ini = [];
foreach ($names as $name) {
    $ini[$name] = ini_get($name);
}
$modules = ['mysqli', 'mysqlnd', 'pdo_mysql', 'Zend OPcache', 'xml', 'gd', 'mbstring', 'bcmath',
            'zip', 'redis', 'curl', 'intl'];
$loaded = [];
foreach ($modules as $module) {
    $loaded[$module] = extension_loaded($module);
}
$configuration = function_exists('opcache_get_configuration') ? opcache_get_configuration() : null;
$status = function_exists('opcache_get_status') ? opcache_get_status(false) : null;
echo json_encode([
    'sapi' => PHP_SAPI,
    'version' => PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION,
    'user' => posix_getpwuid(posix_geteuid())['name'],
    'pid' => getmypid(),
    'ini' => $ini,
    'opcache_directives' => $configuration ? $configuration['directives'] : null,
    'opcache_enabled' => $status ? $status['opcache_enabled'] : false,
    'extensions' => $loaded,
]);
