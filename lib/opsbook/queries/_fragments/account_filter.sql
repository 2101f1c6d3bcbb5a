-- doc: True for line items of the linked accounts in :accounts (comma-separated ids), or all when it is empty.
:accounts = '' OR strpos(:accounts, line_item_usage_account_id) > 0
