import Hummingbird
import NIOCore

/// Serves the OpenAPI 3 document of Vigil's own API at `/api/v1/openapi.json`; a test holds it against the routes.
struct OpenAPIController {
    func addRoutes(to router: some RouterMethods<VigilRequestContext>) {
        router.get("/api/v1/openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json))
            )
        }
    }
}

/// The document itself.
public enum OpenAPIDocument {
    public static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Vigil API",
    "version": "1",
    "description": "Vigil's own API: monitors, their signals and journal, incidents with diagnosis and recovery attempts, reports, calibration and forecasts. Send an API key as X-Api-Key or Authorization: Bearer. Read-only keys read everything but ping keys and change nothing. Pings (/ping/...) need no API key; see docs/ping-api.md."
  },
  "servers": [
    {
      "url": "/"
    }
  ],
  "security": [
    {
      "apiKey": []
    },
    {
      "bearer": []
    }
  ],
  "paths": {
    "/api/v1/monitors": {
      "get": {
        "operationId": "listMonitors",
        "summary": "All monitors, in slug order.",
        "tags": [
          "monitors"
        ],
        "responses": {
          "200": {
            "description": "The monitors.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Monitor"
                  }
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      },
      "post": {
        "operationId": "createMonitor",
        "summary": "Creates a monitor (not declared in vigil.yml; actions are never defined over the API).",
        "tags": [
          "monitors"
        ],
        "responses": {
          "201": {
            "description": "The new monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Monitor"
                }
              }
            }
          },
          "400": {
            "description": "A field is missing or wrong; the message names it.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "The key is taken.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "A read-only key, or a monitor declared in vigil.yml.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "allOf": [
                  {
                    "$ref": "#/components/schemas/MonitorInput"
                  },
                  {
                    "required": [
                      "slug"
                    ]
                  }
                ]
              }
            }
          }
        }
      }
    },
    "/api/v1/monitors/{slugOrKey}": {
      "get": {
        "operationId": "getMonitor",
        "summary": "One monitor as it stands now.",
        "tags": [
          "monitors"
        ],
        "responses": {
          "200": {
            "description": "The monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Monitor"
                }
              }
            }
          },
          "404": {
            "description": "No such monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "slugOrKey",
            "in": "path",
            "required": true,
            "description": "The monitor's slug (when unique) or its ping key.",
            "schema": {
              "type": "string"
            }
          }
        ]
      },
      "patch": {
        "operationId": "updateMonitor",
        "summary": "Changes the given fields of a monitor created over the API or by a ping.",
        "tags": [
          "monitors"
        ],
        "responses": {
          "200": {
            "description": "The monitor as changed.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Monitor"
                }
              }
            }
          },
          "400": {
            "description": "A field is wrong; nothing was changed.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "A read-only key, or a monitor declared in vigil.yml.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "slugOrKey",
            "in": "path",
            "required": true,
            "description": "The monitor's slug (when unique) or its ping key.",
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/MonitorInput"
              }
            }
          }
        }
      },
      "delete": {
        "operationId": "deleteMonitor",
        "summary": "Stops watching a monitor created over the API or by a ping; its history is kept.",
        "tags": [
          "monitors"
        ],
        "responses": {
          "204": {
            "description": "Deleted."
          },
          "404": {
            "description": "No such monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "A read-only key, or a monitor declared in vigil.yml.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "slugOrKey",
            "in": "path",
            "required": true,
            "description": "The monitor's slug (when unique) or its ping key.",
            "schema": {
              "type": "string"
            }
          }
        ]
      }
    },
    "/api/v1/monitors/{slugOrKey}/pause": {
      "post": {
        "operationId": "pauseMonitor",
        "summary": "Pauses a monitor: no alerts until it is resumed or pinged.",
        "tags": [
          "monitors"
        ],
        "responses": {
          "200": {
            "description": "The paused monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Monitor"
                }
              }
            }
          },
          "404": {
            "description": "No such monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "A read-only key, or a monitor declared in vigil.yml.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "slugOrKey",
            "in": "path",
            "required": true,
            "description": "The monitor's slug (when unique) or its ping key.",
            "schema": {
              "type": "string"
            }
          }
        ]
      }
    },
    "/api/v1/monitors/{slugOrKey}/resume": {
      "post": {
        "operationId": "resumeMonitor",
        "summary": "Resumes a paused monitor; it starts over as new.",
        "tags": [
          "monitors"
        ],
        "responses": {
          "200": {
            "description": "The resumed monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Monitor"
                }
              }
            }
          },
          "404": {
            "description": "No such monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "A read-only key, or a monitor declared in vigil.yml.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "slugOrKey",
            "in": "path",
            "required": true,
            "description": "The monitor's slug (when unique) or its ping key.",
            "schema": {
              "type": "string"
            }
          }
        ]
      }
    },
    "/api/v1/monitors/{slugOrKey}/signals": {
      "get": {
        "operationId": "listSignals",
        "summary": "The monitor's kept signals, newest first.",
        "tags": [
          "monitors"
        ],
        "responses": {
          "200": {
            "description": "The signals.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Signal"
                  }
                }
              }
            }
          },
          "400": {
            "description": "A bad limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "slugOrKey",
            "in": "path",
            "required": true,
            "description": "The monitor's slug (when unique) or its ping key.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "At most this many, newest first; 1 to 10000, default 100.",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 10000,
              "default": 100
            }
          }
        ]
      }
    },
    "/api/v1/monitors/{slugOrKey}/journal": {
      "get": {
        "operationId": "listJournal",
        "summary": "The monitor's journal, newest first.",
        "tags": [
          "monitors"
        ],
        "responses": {
          "200": {
            "description": "The journal entries.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/JournalEntry"
                  }
                }
              }
            }
          },
          "400": {
            "description": "A bad limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "slugOrKey",
            "in": "path",
            "required": true,
            "description": "The monitor's slug (when unique) or its ping key.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "At most this many, newest first; 1 to 10000, default 100.",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 10000,
              "default": 100
            }
          }
        ]
      }
    },
    "/api/v1/monitors/{slugOrKey}/calibration": {
      "get": {
        "operationId": "getCalibration",
        "summary": "The calibration suggestion: the learned deadline, its reason and a backtest against the current rule.",
        "tags": [
          "learning"
        ],
        "responses": {
          "200": {
            "description": "The calibration report.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "404": {
            "description": "No such monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "slugOrKey",
            "in": "path",
            "required": true,
            "description": "The monitor's slug (when unique) or its ping key.",
            "schema": {
              "type": "string"
            }
          }
        ]
      }
    },
    "/api/v1/monitors/{slugOrKey}/forecast": {
      "get": {
        "operationId": "getForecast",
        "summary": "The monitor's stall risk now, with its reasons.",
        "tags": [
          "learning"
        ],
        "responses": {
          "200": {
            "description": "The forecast.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Forecast"
                }
              }
            }
          },
          "404": {
            "description": "No such monitor, or no progress yet.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "slugOrKey",
            "in": "path",
            "required": true,
            "description": "The monitor's slug (when unique) or its ping key.",
            "schema": {
              "type": "string"
            }
          }
        ]
      }
    },
    "/api/v1/incidents": {
      "get": {
        "operationId": "listIncidents",
        "summary": "Incidents, newest first.",
        "tags": [
          "incidents"
        ],
        "responses": {
          "200": {
            "description": "The incidents.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Incident"
                  }
                }
              }
            }
          },
          "400": {
            "description": "A bad parameter.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "monitor",
            "in": "query",
            "required": false,
            "description": "Only this monitor's (slug or key).",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "At most this many, newest first; 1 to 10000, default 50.",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 10000,
              "default": 50
            }
          }
        ]
      }
    },
    "/api/v1/incidents/{id}": {
      "get": {
        "operationId": "getIncident",
        "summary": "An incident with its diagnosis, recovery attempts and timeline.",
        "tags": [
          "incidents"
        ],
        "responses": {
          "200": {
            "description": "The incident.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IncidentDetail"
                }
              }
            }
          },
          "404": {
            "description": "No such incident.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The incident's id or a unique prefix of it.",
            "schema": {
              "type": "string"
            }
          }
        ]
      }
    },
    "/api/v1/incidents/{id}/ack": {
      "post": {
        "operationId": "acknowledgeIncident",
        "summary": "Acknowledges an open incident: escalation stops.",
        "tags": [
          "incidents"
        ],
        "responses": {
          "200": {
            "description": "The acknowledged incident's id.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "acknowledged"
                  ],
                  "properties": {
                    "acknowledged": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          },
          "404": {
            "description": "No such open incident.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "403": {
            "description": "A read-only key, or a monitor declared in vigil.yml.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "409": {
            "description": "The incident is resolved or acknowledged already.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "503": {
            "description": "The recovery loop is not running on this server.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The incident's id or a unique prefix of it.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "by",
            "in": "query",
            "required": false,
            "description": "Who acknowledges; default api.",
            "schema": {
              "type": "string"
            }
          }
        ]
      }
    },
    "/api/v1/report": {
      "get": {
        "operationId": "getReport",
        "summary": "MTTD, MTTR, MTBF, availability, blockers, heatmap and the progress digest over a range, with each monitor's forecast.",
        "tags": [
          "learning"
        ],
        "responses": {
          "200": {
            "description": "The report.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Report"
                }
              }
            }
          },
          "400": {
            "description": "A bad range.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "404": {
            "description": "No such monitor.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "parameters": [
          {
            "name": "since",
            "in": "query",
            "required": false,
            "description": "How far back, e.g. 30d (default).",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "until",
            "in": "query",
            "required": false,
            "description": "The end, ISO 8601; default now.",
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "monitor",
            "in": "query",
            "required": false,
            "description": "Only this monitor (slug or key).",
            "schema": {
              "type": "string"
            }
          }
        ]
      }
    },
    "/api/v1/openapi.json": {
      "get": {
        "operationId": "getOpenAPI",
        "summary": "This document.",
        "tags": [
          "meta"
        ],
        "responses": {
          "200": {
            "description": "The OpenAPI 3 document.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "401": {
            "description": "No API key, or an unknown one.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "apiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key"
      },
      "bearer": {
        "type": "http",
        "scheme": "bearer"
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "message"
            ],
            "properties": {
              "message": {
                "type": "string",
                "description": "What was wrong and what to do."
              }
            }
          }
        }
      },
      "Monitor": {
        "type": "object",
        "required": [
          "id",
          "slug",
          "name",
          "desc",
          "key",
          "state",
          "running",
          "schedule",
          "grace",
          "last_signal",
          "last_progress",
          "due",
          "next_deadline",
          "incident_id",
          "ping_url",
          "origin",
          "editable",
          "tags"
        ],
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "slug": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "desc": {
            "type": "string"
          },
          "key": {
            "type": [
              "string",
              "null"
            ],
            "description": "The ping key; null for a read-only API key."
          },
          "state": {
            "type": "string",
            "enum": [
              "new",
              "up",
              "late",
              "stalled",
              "failing",
              "paused",
              "recovering"
            ]
          },
          "running": {
            "type": "boolean"
          },
          "schedule": {
            "type": "string",
            "description": "e.g. \"every 5m\" or \"0 3 * * * (Europe/Berlin)\""
          },
          "grace": {
            "type": "string"
          },
          "last_signal": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "last_progress": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "due": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "next_deadline": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "incident_id": {
            "type": [
              "string",
              "null"
            ]
          },
          "ping_url": {
            "type": [
              "string",
              "null"
            ],
            "description": "null for a read-only API key."
          },
          "origin": {
            "type": "string",
            "enum": [
              "config",
              "api",
              "auto"
            ]
          },
          "editable": {
            "type": "boolean",
            "description": "False for monitors declared in vigil.yml."
          },
          "tags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "calibration": {
            "type": "string",
            "description": "The calibrated deadline's reason, when the monitor calibrates."
          }
        }
      },
      "MonitorInput": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "slug": {
            "type": "string",
            "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"
          },
          "name": {
            "type": "string",
            "maxLength": 200
          },
          "desc": {
            "type": "string",
            "maxLength": 10000
          },
          "every": {
            "oneOf": [
              {
                "type": "string",
                "example": "5m"
              },
              {
                "type": "number",
                "description": "seconds"
              }
            ]
          },
          "schedule": {
            "type": "string",
            "description": "A cron expression, e.g. \"0 3 * * *\"; instead of every."
          },
          "tz": {
            "type": "string",
            "example": "Europe/Berlin"
          },
          "grace": {
            "oneOf": [
              {
                "type": "string"
              },
              {
                "type": "number"
              }
            ]
          },
          "max_runtime": {
            "oneOf": [
              {
                "type": "string"
              },
              {
                "type": "number"
              }
            ]
          },
          "progress": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "Signal kinds that count as progress; default [\"success\"]."
          },
          "advancing": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "tags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        }
      },
      "Signal": {
        "type": "object",
        "required": [
          "kind",
          "at",
          "progress"
        ],
        "properties": {
          "kind": {
            "type": "string"
          },
          "at": {
            "type": "string",
            "format": "date-time"
          },
          "value": {
            "type": "number"
          },
          "run_id": {
            "type": "string"
          },
          "body": {
            "type": "string"
          },
          "source": {
            "type": "string"
          },
          "progress": {
            "type": "boolean"
          },
          "duration": {
            "type": "number"
          }
        }
      },
      "JournalEntry": {
        "type": "object",
        "required": [
          "sequence",
          "event",
          "at",
          "noticed_at",
          "detail"
        ],
        "properties": {
          "sequence": {
            "type": "integer"
          },
          "event": {
            "type": "string"
          },
          "at": {
            "type": "string",
            "format": "date-time"
          },
          "noticed_at": {
            "type": "string",
            "format": "date-time"
          },
          "from": {
            "type": "string"
          },
          "to": {
            "type": "string"
          },
          "incident_id": {
            "type": "string"
          },
          "detail": {
            "type": "string"
          }
        }
      },
      "Incident": {
        "type": "object",
        "required": [
          "id",
          "monitor",
          "cause",
          "onset",
          "detected_at",
          "time_to_detect_seconds"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "monitor": {
            "type": "string"
          },
          "cause": {
            "type": "string"
          },
          "onset": {
            "type": "string",
            "format": "date-time"
          },
          "detected_at": {
            "type": "string",
            "format": "date-time"
          },
          "resolved_at": {
            "type": "string",
            "format": "date-time"
          },
          "resolution": {
            "type": "string"
          },
          "time_to_detect_seconds": {
            "type": "number",
            "description": "Onset to detection."
          },
          "time_to_recover_seconds": {
            "type": "number",
            "description": "Onset to resolution, once resolved."
          }
        }
      },
      "IncidentDetail": {
        "type": "object",
        "required": [
          "incident",
          "attempts",
          "timeline"
        ],
        "properties": {
          "incident": {
            "$ref": "#/components/schemas/Incident"
          },
          "diagnosis": {
            "type": "object",
            "description": "Blocked and available capabilities with reasons, and the root causes."
          },
          "attempts": {
            "type": "array",
            "items": {
              "type": "object"
            }
          },
          "acknowledged_at": {
            "type": "string",
            "format": "date-time"
          },
          "acknowledged_by": {
            "type": "string"
          },
          "timeline": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/JournalEntry"
            }
          }
        }
      },
      "Forecast": {
        "type": "object",
        "required": [
          "monitor",
          "risk"
        ],
        "properties": {
          "monitor": {
            "type": "string"
          },
          "risk": {
            "type": "object",
            "required": [
              "probability",
              "reasons"
            ],
            "properties": {
              "probability": {
                "type": "number"
              },
              "reasons": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              }
            }
          },
          "calibrated": {
            "type": "object"
          }
        }
      },
      "Report": {
        "type": "object",
        "required": [
          "journal",
          "forecasts"
        ],
        "properties": {
          "journal": {
            "type": "object"
          },
          "forecasts": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Forecast"
            }
          }
        }
      }
    }
  }
}
"""#
}
