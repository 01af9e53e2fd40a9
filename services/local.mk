# SPDX-License-Identifier: MIT
# Service-type modules, one per file, each built only against galaxyctl/plugin.h.

# --- celery (celery and celery-beat), tusd, gx-it-proxy ---
if BUILD_SERVICE_CELERY
service_LTLIBRARIES += services/celery.la
services_celery_la_SOURCES = services/celery.c
services_celery_la_CPPFLAGS = $(GX_MODULE_INCLUDES)
services_celery_la_LDFLAGS = $(GX_MODULE_FLAGS)
endif
if BUILD_SERVICE_TUSD
service_LTLIBRARIES += services/tusd.la
services_tusd_la_SOURCES = services/tusd.c
services_tusd_la_CPPFLAGS = $(GX_MODULE_INCLUDES)
services_tusd_la_LDFLAGS = $(GX_MODULE_FLAGS)
endif
if BUILD_SERVICE_GX_IT_PROXY
service_LTLIBRARIES += services/gx_it_proxy.la
services_gx_it_proxy_la_SOURCES = services/gx_it_proxy.c
services_gx_it_proxy_la_CPPFLAGS = $(GX_MODULE_INCLUDES)
services_gx_it_proxy_la_LDFLAGS = $(GX_MODULE_FLAGS)
endif
# --- end celery, tusd, gx-it-proxy ---

# --- gunicorn (Galaxy's web app; readiness answers are JSON, read with jansson) ---
if BUILD_SERVICE_GUNICORN
service_LTLIBRARIES += services/gunicorn.la
services_gunicorn_la_SOURCES = services/gunicorn.c
services_gunicorn_la_CPPFLAGS = $(GX_MODULE_INCLUDES) $(JANSSON_CFLAGS)
services_gunicorn_la_LDFLAGS = $(GX_MODULE_FLAGS)
services_gunicorn_la_LIBADD = $(JANSSON_LIBS)
endif
# --- end gunicorn ---

# --- reports ---
if BUILD_SERVICE_REPORTS
service_LTLIBRARIES += services/reports.la
services_reports_la_SOURCES = services/reports.c
services_reports_la_CPPFLAGS = $(GX_MODULE_INCLUDES)
services_reports_la_LDFLAGS = $(GX_MODULE_FLAGS)
endif
# --- end reports ---

# --- handlers.so: type standalone (job handlers); reads job_conf.yml (through the host) and job_conf.xml (libxml2) ---
if BUILD_SERVICE_HANDLERS
service_LTLIBRARIES += services/handlers.la
services_handlers_la_SOURCES = services/handlers.c services/handlers/jobconf_xml.c \
	services/handlers/jobconf_xml.h
services_handlers_la_CPPFLAGS = $(GX_MODULE_INCLUDES) $(XML_CFLAGS)
services_handlers_la_LDFLAGS = $(GX_MODULE_FLAGS)
# Not $(XML_LIBS): handlers/jobconf_xml.c opens libxml2 when a job_conf.xml is read.
endif
# --- end handlers.so ---
