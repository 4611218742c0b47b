import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { screenshot } from "./tour_screenshots";

// Every step that acts is scoped to a class only its own screen carries (set on the view's arch:
// o_marketplace_overview, o_marketplace_account_list, o_marketplace_account_form,
// o_marketplace_fetch_wizard, o_marketplace_order_list; Odoo's o_sale_order on the order form).
// A bare trigger such as ".o_list_button_add" also matches the screen the previous click is
// leaving (the Sales app opens on the quotations list, which has a New button too): the tour then
// clicks the old screen's button while the new one loads, and waits for a form that never opens.
//
// The tours run in English and in German: triggers name classes, field names, status codes and
// the test's own data (account names, order numbers), never a translated text.

const openMarketplaceMenu = (item) => [
    ...stepUtils.goToAppSteps("sale.sale_menu_root", "Open the Sales app"),
    {
        content: "Open the Marketplace menu",
        trigger: '.o-dropdown[data-menu-xmlid="sale_marketplace_connector.marketplace_menu"]',
        run: "click",
    },
    {
        content: `Open ${item}`,
        trigger: `.o-dropdown-item[data-menu-xmlid="sale_marketplace_connector.${item}"]`,
        run: "click",
    },
];

const card = (account) => `.o_marketplace_overview .o_kanban_record:contains(${account})`;

// A sales manager connects a CS-Cart shop, finds the status table pre-filled and has backordered
// orders imported too.
registry.category("web_tour.tours").add("marketplace_account_tour", {
    url: "/odoo",
    steps: () => [
        ...openMarketplaceMenu("marketplace_account_menu"),
        {
            content: "Create an account (the New button of the accounts list)",
            trigger: ".o_marketplace_account_list .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_marketplace_account_form .o_field_widget[name=name] input",
            run: "edit Tour CS-Cart shop",
        },
        {
            content: "Choose CS-Cart",
            trigger:
                ".o_marketplace_account_form .o_field_widget[name=backend] input[data-value=cscart]",
            run: "click",
        },
        {
            content: "The form says where CS-Cart shows the API key",
            trigger: ".o_marketplace_account_form .o_marketplace_credentials_help:contains(CS-Cart)",
        },
        {
            content: "Give the shop's address",
            trigger: ".o_marketplace_account_form .o_field_widget[name=api_url] input",
            run: "edit https://shop.example",
        },
        {
            content: "Give the administrator's e-mail",
            trigger: ".o_marketplace_account_form .o_field_widget[name=api_login] input",
            run: "edit admin@shop.example",
        },
        {
            content: "Give the API key",
            trigger: ".o_marketplace_account_form .o_field_widget[name=api_secret] input",
            run: "edit tour-api-key",
        },
        screenshot("account_new", ".o_marketplace_account_form .o_marketplace_credentials_help"),
        {
            content: "Save",
            trigger: ".o_marketplace_account_form .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved: the breadcrumb shows the new account's name instead of New",
            trigger: ".o_breadcrumb .active:contains(Tour CS-Cart shop)",
        },
        {
            content: "The CS-Cart status table is there, Processed (P) imported as a sales order",
            trigger:
                ".o_marketplace_account_form .o_field_widget[name=status_mapping_ids] .o_data_row:has(td[name=code]:contains(P)):has(td[name=document_type]:not(:empty))",
        },
        {
            content: "Incomplete orders (N) are listed too",
            trigger:
                ".o_marketplace_account_form .o_field_widget[name=status_mapping_ids] .o_data_row td[name=code]:contains(N)",
        },
        {
            content: "Edit the row of backordered orders (B)",
            trigger:
                ".o_marketplace_account_form .o_field_widget[name=status_mapping_ids] .o_data_row:has(td[name=code]:contains(B)) td[name=name]",
            run: "click",
        },
        {
            content: "Import them",
            trigger:
                ".o_marketplace_account_form .o_field_widget[name=status_mapping_ids] .o_selected_row td[name=selected] input",
            run: "click",
        },
        {
            content: "Save the table",
            trigger: ".o_marketplace_account_form .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_marketplace_account_form .o_form_saved",
        },
        screenshot(
            "account_statuses",
            ".o_marketplace_account_form .o_form_saved .o_field_widget[name=status_mapping_ids] .o_data_row"
        ),
    ],
});

// A sales user opens the overview, fetches the orders of two accounts, reads the result, finds
// the numbers on the overview and opens an imported order's Marketplace tab.
registry.category("web_tour.tours").add("marketplace_overview_tour", {
    url: "/odoo",
    steps: () => [
        ...openMarketplaceMenu("marketplace_overview_menu"),
        {
            content: "One card per account, nothing imported yet",
            trigger: `${card("Tour PrestaShop")} .o_marketplace_last_import:not(:has(a))`,
        },
        {
            content: "Fetch orders now (Marketplace menu)",
            trigger: '.o-dropdown[data-menu-xmlid="sale_marketplace_connector.marketplace_menu"]',
            run: "click",
        },
        {
            content: "Open Fetch Orders",
            trigger:
                '.o-dropdown-item[data-menu-xmlid="sale_marketplace_connector.marketplace_fetch_wizard_menu"]',
            run: "click",
        },
        {
            content: "Both active accounts are preselected",
            trigger:
                ".modal .o_marketplace_fetch_wizard .o_field_widget[name=account_ids]:has(.o_tag:contains(Tour OTTO)):has(.o_tag:contains(Tour PrestaShop))",
        },
        {
            content: "Fetch",
            trigger: ".modal:has(.o_marketplace_fetch_wizard) button[name=action_fetch]",
            run: "click",
        },
        {
            content: "The result log lists the orders created from both accounts",
            trigger:
                ".modal .o_marketplace_fetch_wizard .o_field_widget[name=line_ids]:has(.o_data_row.text-success:contains(Tour OTTO)):has(.o_data_row.text-success:contains(Tour PrestaShop))",
        },
        {
            content: "and the order that failed, with its reason",
            trigger:
                ".modal .o_marketplace_fetch_wizard .o_field_widget[name=line_ids] .o_data_row.text-danger:contains(NOT-IN-ODOO)",
        },
        screenshot("fetch_result", ".modal .o_marketplace_fetch_wizard .o_field_widget[name=summary]"),
        {
            content: "Close",
            trigger: ".modal:has(.o_marketplace_fetch_wizard) .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The wizard is gone",
            trigger: "body:not(:has(.modal))",
        },
        ...openMarketplaceMenu("marketplace_overview_menu").slice(-2),
        {
            content: "The overview shows the last import of each account",
            trigger: `${card("Tour PrestaShop")} .o_marketplace_last_import a`,
        },
        {
            content: "OTTO: one order in the backlog, one failing",
            trigger: `${card("Tour OTTO")}:has(.o_marketplace_count_backlog:contains(1)):has(.o_marketplace_count_retries:contains(1))`,
        },
        {
            content: "PrestaShop: two payments for an accountant to review",
            trigger: `${card("Tour PrestaShop")} .o_marketplace_count_payments:contains(2)`,
        },
        screenshot("overview", `${card("Tour OTTO")} .o_marketplace_count_orders`),
        {
            content: "Open the orders of the OTTO account",
            trigger: `${card("Tour OTTO")} .o_marketplace_count_orders`,
            run: "click",
        },
        {
            content: "The list shows the shop's status by its name (the code's column is hidden)",
            trigger:
                ".o_marketplace_order_list:has(th[data-name=marketplace_status_name]):not(:has(th[data-name=marketplace_status])) .o_data_row:contains(TOUROTTO01)",
        },
        screenshot("orders", ".o_marketplace_order_list .o_data_row:contains(TOUROTTO02)"),
        {
            content: "Open order TOUROTTO01",
            trigger:
                ".o_marketplace_order_list .o_data_row:contains(TOUROTTO01) td[name=marketplace_order_ref]",
            run: "click",
        },
        {
            content: "Open its Marketplace tab",
            trigger: ".o_sale_order .o_notebook .nav-link[name=marketplace]",
            run: "click",
        },
        {
            content: "The tab shows the shop's order number",
            trigger:
                ".o_sale_order .o_marketplace_order_tab .o_field_widget[name=marketplace_order_ref]:contains(TOUROTTO01)",
        },
        {
            content: "its recycling request",
            trigger:
                ".o_sale_order .o_marketplace_order_tab .o_field_widget[name=marketplace_recycling] input:checked",
        },
        {
            content: "whether the shop has been told what happened to the order in Odoo",
            trigger: ".o_sale_order .o_field_widget[name=marketplace_export_state]",
        },
        {
            content: "and the import log of the order",
            trigger: ".o_sale_order .o_marketplace_order_log .o_data_row.text-success",
        },
        screenshot("order_tab", ".o_sale_order .o_marketplace_order_log .o_data_row", {
            scroll: true,
        }),
    ],
});
