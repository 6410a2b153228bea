package dev.topics.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code topics webhooks …}: a topic's webhooks and their deliveries, for its owner or the admin. */
@Command(name = "webhooks", mixinStandardHelpOptions = true,
        description = "List, show, create, update and delete a topic's webhooks; list their deliveries.",
        subcommands = {WebhooksCommand.List.class, WebhooksCommand.Get.class, WebhooksCommand.Create.class,
                WebhooksCommand.Update.class, WebhooksCommand.Delete.class, WebhooksCommand.Deliveries.class})
final class WebhooksCommand {

    /** The {@code --id} of one webhook. */
    static final class Id {
        @Option(names = "--id", required = true, description = "The webhook's id (wh_…).")
        String id;
    }

    /** The settings a webhook is created with and may change. */
    static final class Settings {
        @Option(names = "--secret", description = "The signing secret of the webhook-signature header (Standard Webhooks; docs/API.md section 13.4). On create: generated as whsec_... and shown once if left out.")
        String secret;

        @Option(names = "--filter", paramLabel = "JSON", description = "Deliver only the records matching this filter expression.")
        String filter;

        @Option(names = "--batch-max", paramLabel = "N", description = "At most N records per delivery (server default 100).")
        Long batchMax;

        @Option(names = "--max-attempts", paramLabel = "N",
                description = "Attempts before the webhook is failing and stops (server default 20).")
        Long maxAttempts;

        Fields fields(ClientCommand command) {
            return new Fields().put("secret", secret).raw("filter", command.jsonArg("--filter", filter))
                    .put("batch_max", batchMax).put("max_attempts", maxAttempts);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "A topic's webhooks: ID URL STATE CURSOR BATCH_MAX CREATED.")
    static final class List extends ClientCommand {
        @Mixin
        TopicOption topic;

        @Override
        void run() {
            printList(api().get(Api.topic(topic.topic(), "webhooks")), "webhooks",
                    new Table("ID", "URL", "STATE", "CURSOR", "BATCH_MAX", "CREATED"),
                    w -> new Object[] {w.get("id"), w.get("url"), w.get("state"), w.get("cursor"), w.get("batch_max"),
                            w.get("created_at")});
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "A webhook: settings, state and cursor.")
    static final class Get extends ClientCommand {
        @Mixin
        TopicOption topic;

        @Mixin
        Id id;

        @Override
        void run() {
            printObject(api().get(Api.topic(topic.topic(), "webhooks", id.id)));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a webhook: the topic's new records are POSTed to --url in signed batches.")
    static final class Create extends ClientCommand {
        @Mixin
        TopicOption topic;

        @Option(names = "--url", required = true, description = "Where deliveries are POSTed.")
        String url;

        @Mixin
        Settings settings;

        @Option(names = "--from-seq", paramLabel = "N", description = "Deliver the records after seq N (default: only new ones).")
        Long fromSeq;

        @Override
        void run() {
            printObject(api().post(Api.topic(topic.topic(), "webhooks"),
                    settings.fields(this).put("url", url).put("from_seq", fromSeq).bytes()));
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = {"Change a webhook's settings; the others keep their values.",
                    "--state active resumes a failing webhook."})
    static final class Update extends ClientCommand {
        @Mixin
        TopicOption topic;

        @Mixin
        Id id;

        @Option(names = "--url", description = "Where deliveries are POSTed.")
        String url;

        @Mixin
        Settings settings;

        @Option(names = "--state", paramLabel = "active", converter = Choices.WebhookState.class,
                completionCandidates = Choices.WebhookState.class, description = "active: resume a failing webhook.")
        String state;

        @Override
        void run() {
            printObject(api().patch(Api.topic(topic.topic(), "webhooks", id.id),
                    settings.fields(this).put("url", url).put("state", state).bytes()));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a webhook (deliveries stop).")
    static final class Delete extends ClientCommand {
        @Mixin
        TopicOption topic;

        @Mixin
        Id id;

        @Override
        void run() {
            printDone(api().delete(Api.topic(topic.topic(), "webhooks", id.id)), "deleted webhook " + id.id);
        }
    }

    @Command(name = "deliveries", mixinStandardHelpOptions = true,
            description = "A webhook's recent deliveries: ID FROM TO ATTEMPTS STATUS LAST_STATUS LAST_ERROR.")
    static final class Deliveries extends ClientCommand {
        @Mixin
        TopicOption topic;

        @Mixin
        Id id;

        @Override
        void run() {
            printList(api().get(Api.topic(topic.topic(), "webhooks", id.id, "deliveries")), "deliveries",
                    new Table("ID", "FROM", "TO", "ATTEMPTS", "STATUS", "LAST_STATUS", "LAST_ERROR"),
                    d -> new Object[] {d.get("id"), d.get("from_seq"), d.get("to_seq"), d.get("attempts"), d.get("status"),
                            d.get("last_status"), d.get("last_error")});
        }
    }
}
