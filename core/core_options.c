/* SPDX-License-Identifier: MIT */
/* The option table of the top-level gravity section: docs 4.3 plus upstream's later options. */
#include <stddef.h>

#include "core_options.h"

static const char *const process_managers[] = { "supervisor", "systemd", "direct",
						"multiprocessing", NULL };
static const char *const command_styles[] = { "gravity", "direct", NULL };
static const char *const app_servers[] = { "gunicorn", "unicornherder", NULL };

const struct gx_option gx_core_options[] = {
	{ .name = "process_manager", .type = GX_TYPE_ENUM, .allowed = process_managers,
	  .doc = "Process manager to use.\n"
		 "``supervisor`` is the default process manager when Gravity is invoked as a "
		 "non-root user.\n"
		 "``systemd`` is the default when Gravity is invoked as root.\n"
		 "``direct`` runs the services from galaxyctl itself, with no process manager "
		 "installed (``multiprocessing`` is accepted as its old name)." },
	{ .name = "service_command_style", .type = GX_TYPE_ENUM, .allowed = command_styles,
	  .default_value = "gravity",
	  .doc = "What command to write to the process manager configs\n"
		 "`gravity` (`galaxyctl exec <service-name>`) is the default\n"
		 "`direct` (each service's actual command) is also supported." },
	{ .name = "use_service_instances", .type = GX_TYPE_BOOL, .default_value = "true",
	  .doc = "Use the process manager's *service instance* functionality for services "
		 "that can run multiple instances.\n"
		 "Presently this includes services like gunicorn and Galaxy dynamic job "
		 "handlers. Service instances are only supported if\n"
		 "``service_command_style`` is ``gravity``, and so this option is "
		 "automatically set to ``false`` if\n"
		 "``service_command_style`` is set to ``direct``." },
	{ .name = "umask", .type = GX_TYPE_STRING, .default_value = "022",
	  .doc = "umask under which services should be executed. Setting ``umask`` on an "
		 "individual service overrides this value." },
	{ .name = "memory_limit", .type = GX_TYPE_FLOAT, .min = 0, .max = 1e9,
	  .doc = "Memory limit (in GB), processes exceeding the limit will be killed. "
		 "Default is no limit. If set, this is default value\n"
		 "for all services. Setting ``memory_limit`` on an individual service "
		 "overrides this value. Ignored if ``process_manager``\n"
		 "is ``supervisor``." },
	{ .name = "memory_high", .type = GX_TYPE_FLOAT, .min = 0, .max = 1e9,
	  .doc = "Memory usage throttle limit (in GB). If a process exceeds the limit, it "
		 "is throttled and put under heavy reclaim pressure. Default is no limit. "
		 "If set, this is default value\n"
		 "for all services. Setting ``memory_high`` on an individual service "
		 "overrides this value. Ignored if ``process_manager``\n"
		 "is ``supervisor``." },
	{ .name = "galaxy_config_file", .type = GX_TYPE_STRING,
	  .doc = "Specify Galaxy config file (galaxy.yml), if the Gravity config is separate "
		 "from the Galaxy config. Assumed to be the\n"
		 "same file as the Gravity config if a ``galaxy`` key exists at the root "
		 "level, otherwise, this option is required." },
	{ .name = "galaxy_root", .type = GX_TYPE_STRING,
	  .doc = "Specify Galaxy's root directory.\n"
		 "Gravity will attempt to find the root directory, but you can set the "
		 "directory explicitly with this option." },
	{ .name = "galaxy_user", .type = GX_TYPE_STRING,
	  .doc = "User to run Galaxy as, required when using the systemd process manager as "
		 "root.\n"
		 "Ignored if ``process_manager`` is ``supervisor`` or user-mode (non-root) "
		 "``systemd``." },
	{ .name = "galaxy_group", .type = GX_TYPE_STRING,
	  .doc = "Group to run Galaxy as, optional when using the systemd process manager "
		 "as root.\n"
		 "Ignored if ``process_manager`` is ``supervisor`` or user-mode (non-root) "
		 "``systemd``." },
	{ .name = "log_dir", .type = GX_TYPE_STRING,
	  .doc = "Set to a directory that should contain log files for the processes "
		 "controlled by Gravity.\n"
		 "If not specified defaults to ``<galaxy_data_dir>/gravity/log``." },
	{ .name = "log_namespace", .type = GX_TYPE_STRING,
	  .doc = "Set to a systemd journal namespace (``LogNamespace=``) for the services' "
		 "logs. Only used with the ``systemd`` process manager." },
	{ .name = "virtualenv", .type = GX_TYPE_STRING,
	  .doc = "Set to Galaxy's virtualenv directory.\n"
		 "If not specified, Gravity assumes all processes are on PATH. This option "
		 "is required in most circumstances when using\n"
		 "the ``systemd`` process manager." },
	{ .name = "app_server", .type = GX_TYPE_ENUM, .allowed = app_servers,
	  .default_value = "gunicorn",
	  .doc = "Select the application server.\n"
		 "``gunicorn`` is the default application server.\n"
		 "``unicornherder`` is a production-oriented manager for (G)unicorn servers "
		 "that automates zero-downtime Galaxy server restarts,\n"
		 "similar to uWSGI Zerg Mode used in the past." },
	{ .name = "instance_name", .type = GX_TYPE_STRING, .default_value = "_default_",
	  .doc = "Override the default instance name.\n"
		 "this is hidden from you when running a single instance." },
	/* The direct process manager's own options (backends/direct.c). */
	{ .name = "start_retries", .type = GX_TYPE_INT, .default_value = "3", .min = 1, .max = 1000,
	  .doc = "Failed starts in a row after which a service is left in the FATAL state (a start "
		 "fails when the process exits before its ``start_timeout``).\n"
		 "Only used by the ``direct`` process manager." },
	{ .name = "log_max_bytes", .type = GX_TYPE_INT, .default_value = "52428800", .min = 0,
	  .max = 1e15,
	  .doc = "Size in bytes at which a service's log file is rotated (``0`` never rotates).\n"
		 "Only used by the ``direct`` process manager." },
	{ .name = "log_backups", .type = GX_TYPE_INT, .default_value = "10", .min = 0, .max = 1000,
	  .doc = "Rotated log files kept per service (``<name>.log.1`` is the newest); with ``0`` "
		 "the log is emptied instead.\n"
		 "Only used by the ``direct`` process manager." },
	{ .name = "exit_on_fatal", .type = GX_TYPE_BOOL, .default_value = "false",
	  .doc = "Stop every service and exit with a failure when a service enters the FATAL state, "
		 "so that a container orchestrator can restart the container.\n"
		 "Only used by the ``direct`` process manager." },
	{ 0 },
};
