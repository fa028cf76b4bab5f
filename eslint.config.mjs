// Lint rules of the repository: ESLint's and typescript-eslint's recommended sets, plus the project's own rule that
// cdktf and the AWS provider are imported only through constructs/platform/ (cdktf is archived: keep a switch cheap),
// and cdk8s-plus-27 only there too (its generated API classes alone, not its package index).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "lib/",
      ".bench/",
      ".cache/",
      "dist/",
      "cdktf.out/",
      "docs/api/",
      "coverage/",
      "**/*.d.ts",
      "templates/**/node_modules/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    files: ["constructs/**/*.ts", "apps/**/*.ts", "clusters/**/*.ts"],
    ignores: ["constructs/platform/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["cdktf", "cdktf/*"], message: "import cdktf through constructs/platform/terraform.ts" },
            {
              group: ["@cdktf/provider-aws", "@cdktf/provider-aws/*"],
              message: "import provider classes through constructs/platform/aws.ts",
            },
            {
              group: ["cdk8s-plus-27", "cdk8s-plus-27/*"],
              message: "import the Kubernetes API classes through constructs/platform/k8s.ts (the package index loads 32 modules more)",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs", "**/*.mjs"],
    languageOptions: {
      globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" },
    },
  },
);
