/**
 * The admin REST API under {@code /admin/v1}: thin resources over the features' own services, DTO
 * records, one problem+json mapper, and the admin token check. The CLI is its client.
 */
package io.sluice.admin;
