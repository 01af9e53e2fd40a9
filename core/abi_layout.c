/* SPDX-License-Identifier: MIT */
/*
 * The plugin ABI's layout, pinned: every public struct's field offsets as
 * ABI 1.5 has them, on LP64 (x86_64, aarch64, ...).  A field inserted,
 * removed, retyped or reordered fails the build here, before any module
 * built against an earlier header calls the wrong slot.
 *
 * Growing a struct at its end (with a GX_ABI_MINOR bump) adds lines here
 * and changes none.  The sizes of the structs that modules allocate and
 * that therefore can never grow (option tables, status rows, specs,
 * graceful ops, the module record) are pinned too.  Regenerate the lines
 * only for a major bump.
 */
#include <stddef.h>

#include "galaxyctl/plugin.h"

/* Keeps this a translation unit where the checks below do not apply. */
typedef int gx_abi_layout_checked;

#if __SIZEOF_POINTER__ == 8 && __SIZEOF_LONG__ == 8 && __SIZEOF_INT__ == 4
/* struct gx_mark */
_Static_assert(offsetof(struct gx_mark, file) == 0, "gx_mark.file moved");
_Static_assert(offsetof(struct gx_mark, line) == 8, "gx_mark.line moved");
_Static_assert(offsetof(struct gx_mark, column) == 12, "gx_mark.column moved");
_Static_assert(sizeof(struct gx_mark) == 16, "gx_mark changed size");

/* struct gx_error */
_Static_assert(offsetof(struct gx_error, code) == 0, "gx_error.code moved");
_Static_assert(offsetof(struct gx_error, message) == 4, "gx_error.message moved");
_Static_assert(offsetof(struct gx_error, file) == 1028, "gx_error.file moved");
_Static_assert(offsetof(struct gx_error, line) == 1540, "gx_error.line moved");
_Static_assert(offsetof(struct gx_error, column) == 1544, "gx_error.column moved");
_Static_assert(sizeof(struct gx_error) == 1548, "gx_error changed size");

/* struct gx_pair */
_Static_assert(offsetof(struct gx_pair, key) == 0, "gx_pair.key moved");
_Static_assert(offsetof(struct gx_pair, value) == 8, "gx_pair.value moved");
_Static_assert(sizeof(struct gx_pair) == 16, "gx_pair changed size");

/* struct gx_node */
_Static_assert(offsetof(struct gx_node, kind) == 0, "gx_node.kind moved");
_Static_assert(offsetof(struct gx_node, mark) == 8, "gx_node.mark moved");
_Static_assert(offsetof(struct gx_node, scalar) == 24, "gx_node.scalar moved");
_Static_assert(offsetof(struct gx_node, plain) == 32, "gx_node.plain moved");
_Static_assert(offsetof(struct gx_node, n) == 40, "gx_node.n moved");
_Static_assert(offsetof(struct gx_node, items) == 48, "gx_node.items moved");
_Static_assert(offsetof(struct gx_node, pairs) == 56, "gx_node.pairs moved");

/* struct gx_option */
_Static_assert(offsetof(struct gx_option, name) == 0, "gx_option.name moved");
_Static_assert(offsetof(struct gx_option, type) == 8, "gx_option.type moved");
_Static_assert(offsetof(struct gx_option, default_value) == 16, "gx_option.default_value moved");
_Static_assert(offsetof(struct gx_option, doc) == 24, "gx_option.doc moved");
_Static_assert(offsetof(struct gx_option, allowed) == 32, "gx_option.allowed moved");
_Static_assert(offsetof(struct gx_option, min) == 40, "gx_option.min moved");
_Static_assert(offsetof(struct gx_option, max) == 48, "gx_option.max moved");
_Static_assert(offsetof(struct gx_option, flags) == 56, "gx_option.flags moved");
_Static_assert(sizeof(struct gx_option) == 64, "gx_option changed size");

/* struct gx_strv */
_Static_assert(offsetof(struct gx_strv, v) == 0, "gx_strv.v moved");
_Static_assert(offsetof(struct gx_strv, n) == 8, "gx_strv.n moved");
_Static_assert(offsetof(struct gx_strv, alloc) == 16, "gx_strv.alloc moved");
_Static_assert(sizeof(struct gx_strv) == 24, "gx_strv changed size");

/* struct gx_graceful_ops */
_Static_assert(offsetof(struct gx_graceful_ops, state) == 0, "gx_graceful_ops.state moved");
_Static_assert(offsetof(struct gx_graceful_ops, start) == 8, "gx_graceful_ops.start moved");
_Static_assert(offsetof(struct gx_graceful_ops, restart) == 16, "gx_graceful_ops.restart moved");
_Static_assert(offsetof(struct gx_graceful_ops, sighup) == 24, "gx_graceful_ops.sighup moved");
_Static_assert(sizeof(struct gx_graceful_ops) == 32, "gx_graceful_ops changed size");

/* struct gx_service */
_Static_assert(offsetof(struct gx_service, name) == 0, "gx_service.name moved");
_Static_assert(offsetof(struct gx_service, config_type) == 8, "gx_service.config_type moved");
_Static_assert(offsetof(struct gx_service, type) == 16, "gx_service.type moved");
_Static_assert(offsetof(struct gx_service, instance) == 24, "gx_service.instance moved");
_Static_assert(offsetof(struct gx_service, count) == 32, "gx_service.count moved");
_Static_assert(offsetof(struct gx_service, instances) == 36, "gx_service.instances moved");
_Static_assert(offsetof(struct gx_service, settings) == 40, "gx_service.settings moved");
_Static_assert(offsetof(struct gx_service, data) == 48, "gx_service.data moved");
_Static_assert(offsetof(struct gx_service, umask) == 56, "gx_service.umask moved");
_Static_assert(offsetof(struct gx_service, start_timeout) == 64, "gx_service.start_timeout moved");
_Static_assert(offsetof(struct gx_service, stop_timeout) == 72, "gx_service.stop_timeout moved");
_Static_assert(offsetof(struct gx_service, memory_limit) == 80, "gx_service.memory_limit moved");
_Static_assert(offsetof(struct gx_service, memory_high) == 88, "gx_service.memory_high moved");

/* struct gx_instance */
_Static_assert(offsetof(struct gx_instance, name) == 0, "gx_instance.name moved");
_Static_assert(offsetof(struct gx_instance, config_file) == 8, "gx_instance.config_file moved");
_Static_assert(offsetof(struct gx_instance, galaxy_config_file) == 16, "gx_instance.galaxy_config_file moved");
_Static_assert(offsetof(struct gx_instance, galaxy_root) == 24, "gx_instance.galaxy_root moved");
_Static_assert(offsetof(struct gx_instance, virtualenv) == 32, "gx_instance.virtualenv moved");
_Static_assert(offsetof(struct gx_instance, state_dir) == 40, "gx_instance.state_dir moved");
_Static_assert(offsetof(struct gx_instance, log_dir) == 48, "gx_instance.log_dir moved");
_Static_assert(offsetof(struct gx_instance, process_manager) == 56, "gx_instance.process_manager moved");
_Static_assert(offsetof(struct gx_instance, service_command_style) == 64, "gx_instance.service_command_style moved");
_Static_assert(offsetof(struct gx_instance, use_service_instances) == 72, "gx_instance.use_service_instances moved");
_Static_assert(offsetof(struct gx_instance, galaxy_user) == 80, "gx_instance.galaxy_user moved");
_Static_assert(offsetof(struct gx_instance, galaxy_group) == 88, "gx_instance.galaxy_group moved");
_Static_assert(offsetof(struct gx_instance, gravity) == 96, "gx_instance.gravity moved");
_Static_assert(offsetof(struct gx_instance, galaxy) == 104, "gx_instance.galaxy moved");
_Static_assert(offsetof(struct gx_instance, services) == 112, "gx_instance.services moved");
_Static_assert(offsetof(struct gx_instance, n_services) == 120, "gx_instance.n_services moved");
_Static_assert(offsetof(struct gx_instance, name_is_default) == 128, "gx_instance.name_is_default moved");
_Static_assert(offsetof(struct gx_instance, galaxy_installed) == 129, "gx_instance.galaxy_installed moved");
_Static_assert(offsetof(struct gx_instance, working_dir) == 136, "gx_instance.working_dir moved");

/* struct gx_service_spec */
_Static_assert(offsetof(struct gx_service_spec, name) == 0, "gx_service_spec.name moved");
_Static_assert(offsetof(struct gx_service_spec, config_type) == 8, "gx_service_spec.config_type moved");
_Static_assert(offsetof(struct gx_service_spec, count) == 16, "gx_service_spec.count moved");
_Static_assert(offsetof(struct gx_service_spec, instances) == 20, "gx_service_spec.instances moved");
_Static_assert(offsetof(struct gx_service_spec, settings) == 24, "gx_service_spec.settings moved");
_Static_assert(offsetof(struct gx_service_spec, environment) == 32, "gx_service_spec.environment moved");
_Static_assert(offsetof(struct gx_service_spec, data) == 40, "gx_service_spec.data moved");
_Static_assert(offsetof(struct gx_service_spec, free_data) == 48, "gx_service_spec.free_data moved");
_Static_assert(sizeof(struct gx_service_spec) == 56, "gx_service_spec changed size");

/* struct gx_status_row */
_Static_assert(offsetof(struct gx_status_row, instance) == 0, "gx_status_row.instance moved");
_Static_assert(offsetof(struct gx_status_row, service) == 8, "gx_status_row.service moved");
_Static_assert(offsetof(struct gx_status_row, name) == 16, "gx_status_row.name moved");
_Static_assert(offsetof(struct gx_status_row, state) == 24, "gx_status_row.state moved");
_Static_assert(offsetof(struct gx_status_row, pid) == 32, "gx_status_row.pid moved");
_Static_assert(offsetof(struct gx_status_row, uptime_s) == 40, "gx_status_row.uptime_s moved");
_Static_assert(offsetof(struct gx_status_row, restarts) == 48, "gx_status_row.restarts moved");
_Static_assert(offsetof(struct gx_status_row, exit_status) == 56, "gx_status_row.exit_status moved");
_Static_assert(offsetof(struct gx_status_row, log) == 64, "gx_status_row.log moved");
_Static_assert(offsetof(struct gx_status_row, rss_kb) == 72, "gx_status_row.rss_kb moved");
_Static_assert(offsetof(struct gx_status_row, detail) == 80, "gx_status_row.detail moved");
_Static_assert(sizeof(struct gx_status_row) == 88, "gx_status_row changed size");

/* struct gx_target */
_Static_assert(offsetof(struct gx_target, instance) == 0, "gx_target.instance moved");
_Static_assert(offsetof(struct gx_target, service) == 8, "gx_target.service moved");
_Static_assert(sizeof(struct gx_target) == 16, "gx_target changed size");

/* struct gx_request */
_Static_assert(offsetof(struct gx_request, instances) == 0, "gx_request.instances moved");
_Static_assert(offsetof(struct gx_request, n_instances) == 8, "gx_request.n_instances moved");
_Static_assert(offsetof(struct gx_request, other_instances) == 16, "gx_request.other_instances moved");
_Static_assert(offsetof(struct gx_request, n_other_instances) == 24, "gx_request.n_other_instances moved");
_Static_assert(offsetof(struct gx_request, targets) == 32, "gx_request.targets moved");
_Static_assert(offsetof(struct gx_request, n_targets) == 40, "gx_request.n_targets moved");
_Static_assert(offsetof(struct gx_request, force) == 48, "gx_request.force moved");
_Static_assert(offsetof(struct gx_request, clean) == 49, "gx_request.clean moved");
_Static_assert(offsetof(struct gx_request, foreground) == 50, "gx_request.foreground moved");
_Static_assert(offsetof(struct gx_request, quiet) == 51, "gx_request.quiet moved");
_Static_assert(offsetof(struct gx_request, user_mode) == 52, "gx_request.user_mode moved");
_Static_assert(offsetof(struct gx_request, state_dir_override) == 56, "gx_request.state_dir_override moved");
_Static_assert(offsetof(struct gx_request, argc) == 64, "gx_request.argc moved");
_Static_assert(offsetof(struct gx_request, argv) == 72, "gx_request.argv moved");
_Static_assert(offsetof(struct gx_request, json) == 80, "gx_request.json moved");
_Static_assert(offsetof(struct gx_request, start_if_stopped) == 81, "gx_request.start_if_stopped moved");
_Static_assert(offsetof(struct gx_request, target_process) == 88, "gx_request.target_process moved");
_Static_assert(offsetof(struct gx_request, graceful_delay_set) == 96, "gx_request.graceful_delay_set moved");
_Static_assert(offsetof(struct gx_request, graceful_delay) == 104, "gx_request.graceful_delay moved");

/* struct gx_host */
_Static_assert(offsetof(struct gx_host, abi_major) == 0, "gx_host.abi_major moved");
_Static_assert(offsetof(struct gx_host, abi_minor) == 4, "gx_host.abi_minor moved");
_Static_assert(offsetof(struct gx_host, size) == 8, "gx_host.size moved");
_Static_assert(offsetof(struct gx_host, log) == 16, "gx_host.log moved");
_Static_assert(offsetof(struct gx_host, out) == 24, "gx_host.out moved");
_Static_assert(offsetof(struct gx_host, errorf) == 32, "gx_host.errorf moved");
_Static_assert(offsetof(struct gx_host, get) == 40, "gx_host.get moved");
_Static_assert(offsetof(struct gx_host, get_bool) == 48, "gx_host.get_bool moved");
_Static_assert(offsetof(struct gx_host, get_int) == 56, "gx_host.get_int moved");
_Static_assert(offsetof(struct gx_host, get_float) == 64, "gx_host.get_float moved");
_Static_assert(offsetof(struct gx_host, get_str) == 72, "gx_host.get_str moved");
_Static_assert(offsetof(struct gx_host, is_null) == 80, "gx_host.is_null moved");
_Static_assert(offsetof(struct gx_host, strv_push) == 88, "gx_host.strv_push moved");
_Static_assert(offsetof(struct gx_host, strv_pushf) == 96, "gx_host.strv_pushf moved");
_Static_assert(offsetof(struct gx_host, strv_split) == 104, "gx_host.strv_split moved");
_Static_assert(offsetof(struct gx_host, strv_split_option) == 112, "gx_host.strv_split_option moved");
_Static_assert(offsetof(struct gx_host, strv_release) == 120, "gx_host.strv_release moved");
_Static_assert(offsetof(struct gx_host, add_service) == 128, "gx_host.add_service moved");
_Static_assert(offsetof(struct gx_host, expand_default) == 136, "gx_host.expand_default moved");
_Static_assert(offsetof(struct gx_host, status_add) == 144, "gx_host.status_add moved");
_Static_assert(offsetof(struct gx_host, write_file) == 152, "gx_host.write_file moved");
_Static_assert(offsetof(struct gx_host, http_get) == 160, "gx_host.http_get moved");
_Static_assert(offsetof(struct gx_host, service_argv) == 168, "gx_host.service_argv moved");
_Static_assert(offsetof(struct gx_host, service_env) == 176, "gx_host.service_env moved");
_Static_assert(offsetof(struct gx_host, self_exe) == 184, "gx_host.self_exe moved");
_Static_assert(offsetof(struct gx_host, debug) == 192, "gx_host.debug moved");
_Static_assert(offsetof(struct gx_host, read_file) == 200, "gx_host.read_file moved");
_Static_assert(offsetof(struct gx_host, yaml_load) == 208, "gx_host.yaml_load moved");
_Static_assert(offsetof(struct gx_host, yaml_free) == 216, "gx_host.yaml_free moved");
_Static_assert(offsetof(struct gx_host, graceful) == 224, "gx_host.graceful moved");
_Static_assert(offsetof(struct gx_host, refuse_if_stopped) == 232, "gx_host.refuse_if_stopped moved");
_Static_assert(offsetof(struct gx_host, service_argv_with_virtualenv) == 240, "gx_host.service_argv_with_virtualenv moved");
_Static_assert(offsetof(struct gx_host, request_has_process) == 248, "gx_host.request_has_process moved");
_Static_assert(offsetof(struct gx_host, graceful_request) == 256, "gx_host.graceful_request moved");
_Static_assert(offsetof(struct gx_host, plan_file) == 264, "gx_host.plan_file moved");
_Static_assert(offsetof(struct gx_host, plan_remove) == 272, "gx_host.plan_remove moved");
_Static_assert(offsetof(struct gx_host, plan_dir) == 280, "gx_host.plan_dir moved");
_Static_assert(offsetof(struct gx_host, plan_action) == 288, "gx_host.plan_action moved");

/* struct gx_service_type */
_Static_assert(offsetof(struct gx_service_type, name) == 0, "gx_service_type.name moved");
_Static_assert(offsetof(struct gx_service_type, section) == 8, "gx_service_type.section moved");
_Static_assert(offsetof(struct gx_service_type, doc) == 16, "gx_service_type.doc moved");
_Static_assert(offsetof(struct gx_service_type, options) == 24, "gx_service_type.options moved");
_Static_assert(offsetof(struct gx_service_type, list_allowed) == 32, "gx_service_type.list_allowed moved");
_Static_assert(offsetof(struct gx_service_type, named_sections) == 33, "gx_service_type.named_sections moved");
_Static_assert(offsetof(struct gx_service_type, aliases) == 40, "gx_service_type.aliases moved");
_Static_assert(offsetof(struct gx_service_type, expand) == 48, "gx_service_type.expand moved");
_Static_assert(offsetof(struct gx_service_type, validate) == 56, "gx_service_type.validate moved");
_Static_assert(offsetof(struct gx_service_type, argv) == 64, "gx_service_type.argv moved");
_Static_assert(offsetof(struct gx_service_type, env) == 72, "gx_service_type.env moved");
_Static_assert(offsetof(struct gx_service_type, graceful) == 80, "gx_service_type.graceful moved");
_Static_assert(offsetof(struct gx_service_type, ready) == 88, "gx_service_type.ready moved");

/* struct gx_backend */
_Static_assert(offsetof(struct gx_backend, name) == 0, "gx_backend.name moved");
_Static_assert(offsetof(struct gx_backend, package) == 8, "gx_backend.package moved");
_Static_assert(offsetof(struct gx_backend, update) == 16, "gx_backend.update moved");
_Static_assert(offsetof(struct gx_backend, start) == 24, "gx_backend.start moved");
_Static_assert(offsetof(struct gx_backend, stop) == 32, "gx_backend.stop moved");
_Static_assert(offsetof(struct gx_backend, restart) == 40, "gx_backend.restart moved");
_Static_assert(offsetof(struct gx_backend, graceful) == 48, "gx_backend.graceful moved");
_Static_assert(offsetof(struct gx_backend, status) == 56, "gx_backend.status moved");
_Static_assert(offsetof(struct gx_backend, follow) == 64, "gx_backend.follow moved");
_Static_assert(offsetof(struct gx_backend, shutdown) == 72, "gx_backend.shutdown moved");
_Static_assert(offsetof(struct gx_backend, pm) == 80, "gx_backend.pm moved");
_Static_assert(offsetof(struct gx_backend, check) == 88, "gx_backend.check moved");
_Static_assert(offsetof(struct gx_backend, process_names) == 96, "gx_backend.process_names moved");
_Static_assert(offsetof(struct gx_backend, plan) == 104, "gx_backend.plan moved");

/* enum gx_plan_verb: values are the ABI too */
_Static_assert(GX_PLAN_START == 0 && GX_PLAN_STOP == 2 && GX_PLAN_NOTE == 8 && GX_PLAN_VERB_MAX == 9,
	       "gx_plan_verb renumbered");

/* struct gx_module */
_Static_assert(offsetof(struct gx_module, abi_major) == 0, "gx_module.abi_major moved");
_Static_assert(offsetof(struct gx_module, abi_minor) == 4, "gx_module.abi_minor moved");
_Static_assert(offsetof(struct gx_module, size) == 8, "gx_module.size moved");
_Static_assert(offsetof(struct gx_module, name) == 16, "gx_module.name moved");
_Static_assert(offsetof(struct gx_module, services) == 24, "gx_module.services moved");
_Static_assert(offsetof(struct gx_module, backend) == 32, "gx_module.backend moved");
_Static_assert(sizeof(struct gx_module) == 40, "gx_module changed size");

#endif
